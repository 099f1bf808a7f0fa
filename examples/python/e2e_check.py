"""End-to-end check of the contract's Python clients against a running server.

Runs the sync client, the async client (aiohttp) and the Flask integration exactly as the
contract writes them, pointed at RATE_LIMITER_URL with RATE_LIMITER_API_KEY, and asserts that
each key is allowed `capacity` times and then limited. The clients fail open on errors, so a
"limited" answer proves the server really answered.

    RATE_LIMITER_URL=http://127.0.0.1:8080 RATE_LIMITER_API_KEY=k CAPACITY=10 python3 e2e_check.py
"""
import asyncio
import os
import sys

from rate_limiter_client import RateLimiterClient
from async_rate_limiter_client import AsyncRateLimiterClient
import flask_app

URL = os.environ["RATE_LIMITER_URL"]
API_KEY = os.environ.get("RATE_LIMITER_API_KEY")
CAPACITY = int(os.environ.get("CAPACITY", "10"))
RUN = os.environ.get("RUN_ID", str(os.getpid()))


def expect(label, got, want):
    if got != want:
        print(f"FAIL {label}: got {got}, want {want}", file=sys.stderr)
        sys.exit(1)
    print(f"ok   {label}")


def sync_client():
    client = RateLimiterClient(base_url=URL, api_key=API_KEY)
    key = f"py:sync:{RUN}"
    results = [client.check_rate_limit(key, tokens=1) for _ in range(CAPACITY + 1)]
    expect("sync: allowed then limited", [r.allowed for r in results],
           [True] * CAPACITY + [False])
    expect("sync: key echoed", {r.key for r in results}, {key})
    expect("sync: tokensRequested", {r.tokens_requested for r in results}, {1})


async def async_client():
    client = AsyncRateLimiterClient(base_url=URL, api_key=API_KEY)
    key = f"py:async:{RUN}"
    results = [await client.check_rate_limit(key) for _ in range(CAPACITY + 1)]
    expect("async: allowed then limited", [r.allowed for r in results],
           [True] * CAPACITY + [False])
    # Concurrently, as the contract's async_main does: exactly CAPACITY of 2x are allowed.
    burst = f"py:async-burst:{RUN}"
    results = await asyncio.gather(*[client.check_rate_limit(burst)
                                     for _ in range(2 * CAPACITY)])
    expect("async: concurrent burst admits exactly capacity",
           sum(1 for r in results if r.allowed), CAPACITY)


def flask_integration():
    # The contract's module builds its client for http://localhost:8080 with a placeholder
    # key; point that same module-level client at the server under test.
    flask_app.rate_limiter = RateLimiterClient(base_url=URL, api_key=API_KEY)
    web = flask_app.app.test_client()
    user = f"/api/users/{RUN}"
    statuses = [web.get(user).status_code for _ in range(CAPACITY + 1)]
    expect("flask: /api/users allowed then 429", statuses, [200] * CAPACITY + [429])
    limited = web.get(user)
    expect("flask: 429 body", (limited.get_json()["error"], limited.get_json()["key"]),
           ("Rate limit exceeded", f"user:{RUN}"))
    # /api/search costs 5 tokens per request, keyed by the (test client's) remote address.
    searches = [web.get("/api/search?q=x").status_code for _ in range(CAPACITY // 5 + 1)]
    expect("flask: /api/search costs 5 tokens", searches, [200] * (CAPACITY // 5) + [429])


if __name__ == "__main__":
    sync_client()
    asyncio.run(async_client())
    flask_integration()
    print("e2e ok")
