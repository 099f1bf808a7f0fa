# Copied from the rate-limiter contract (contract/python-client.md),
# section "Flask Integration", as written.
# --- added so this file runs on its own: the contract's Flask block uses the
# --- RateLimiterClient defined in its sync block.
from rate_limiter_client import RateLimiterClient
# --- the rest of this file is the contract's block, unchanged.

from flask import Flask, request, jsonify
from functools import wraps
import time

app = Flask(__name__)
rate_limiter = RateLimiterClient(api_key="your-api-key")

def rate_limit(key_func=None, tokens=1, backoff_seconds=1):
    """Decorator for rate limiting Flask routes."""
    def decorator(f):
        @wraps(f)
        def decorated_function(*args, **kwargs):
            # Determine rate limit key
            if key_func:
                key = key_func()
            else:
                # Default: use IP address
                key = f"ip:{request.remote_addr}"
            
            # Check rate limit
            result = rate_limiter.check_rate_limit(key, tokens)
            
            if not result.allowed:
                return jsonify({
                    "error": "Rate limit exceeded",
                    "key": result.key,
                    "retry_after": backoff_seconds
                }), 429
            
            return f(*args, **kwargs)
        return decorated_function
    return decorator

@app.route("/api/users/<user_id>")
@rate_limit(key_func=lambda: f"user:{request.view_args['user_id']}", tokens=1)
def get_user(user_id):
    """Example endpoint with rate limiting."""
    return jsonify({"user_id": user_id, "name": "John Doe"})

@app.route("/api/search")
@rate_limit(key_func=lambda: f"search:{request.remote_addr}", tokens=5)
def search():
    """Search endpoint requiring 5 tokens."""
    query = request.args.get("q", "")
    return jsonify({"query": query, "results": []})

if __name__ == "__main__":
    app.run(debug=True)
