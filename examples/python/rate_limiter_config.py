# Copied from the rate-limiter contract (contract/python-client.md),
# section "Configuration", as written.
# --- added so this file runs on its own: the contract's block uses the
# --- RateLimiterClient defined in its sync block.
from rate_limiter_client import RateLimiterClient
# --- the rest of this file is the contract's block, unchanged.

import os

class RateLimiterConfig:
    """Configuration for rate limiter client."""
    
    def __init__(self):
        self.url = os.getenv("RATE_LIMITER_URL", "http://localhost:8080")
        self.api_key = os.getenv("RATE_LIMITER_API_KEY")
        self.timeout = int(os.getenv("RATE_LIMITER_TIMEOUT", "10"))
        self.fail_open = os.getenv("RATE_LIMITER_FAIL_OPEN", "true").lower() == "true"

# Usage
config = RateLimiterConfig()
client = RateLimiterClient(config.url, config.api_key)
