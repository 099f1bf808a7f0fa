# Copied from the rate-limiter contract (contract/python-client.md),
# section "Async Client", as written.
# --- added so this file runs on its own: the contract's async block uses the
# --- RateLimitResult dataclass defined in its sync block.
from rate_limiter_client import RateLimitResult
# --- the rest of this file is the contract's block, unchanged.

import aiohttp
import asyncio
from typing import Optional

class AsyncRateLimiterClient:
    """Asynchronous rate limiter client."""
    
    def __init__(self, base_url: str = "http://localhost:8080", api_key: Optional[str] = None):
        self.base_url = base_url.rstrip('/')
        self.api_key = api_key
        
    async def check_rate_limit(self, key: str, tokens: int = 1) -> RateLimitResult:
        """Async rate limit check."""
        url = f"{self.base_url}/api/ratelimit/check"
        
        payload = {
            "key": key,
            "tokens": tokens
        }
        
        if self.api_key:
            payload["apiKey"] = self.api_key
            
        timeout = aiohttp.ClientTimeout(total=10)
        
        try:
            async with aiohttp.ClientSession(timeout=timeout) as session:
                async with session.post(url, json=payload) as response:
                    if response.status == 200:
                        data = await response.json()
                        return RateLimitResult(
                            allowed=data["allowed"],
                            key=data["key"],
                            tokens_requested=data["tokensRequested"]
                        )
                    elif response.status == 429:
                        data = await response.json()
                        return RateLimitResult(
                            allowed=False,
                            key=data["key"],
                            tokens_requested=data["tokensRequested"]
                        )
                    elif response.status in [401, 403]:
                        error_text = await response.text()
                        raise ValueError(f"Authentication/Authorization error: {error_text}")
                    else:
                        response.raise_for_status()
                        
        except asyncio.TimeoutError:
            print(f"Rate limiter timeout for {key}, allowing request")
            return RateLimitResult(allowed=True, key=key, tokens_requested=tokens)
        except aiohttp.ClientError as e:
            print(f"Rate limiter error: {e}, allowing request")
            return RateLimitResult(allowed=True, key=key, tokens_requested=tokens)

# Async usage example
async def async_main():
    client = AsyncRateLimiterClient(api_key="your-api-key")
    
    # Check multiple rate limits concurrently
    keys = ["user:123", "user:456", "api:endpoint1"]
    
    tasks = [client.check_rate_limit(key) for key in keys]
    results = await asyncio.gather(*tasks)
    
    for result in results:
        print(f"Key: {result.key}, Allowed: {result.allowed}")

if __name__ == "__main__":
    asyncio.run(async_main())
