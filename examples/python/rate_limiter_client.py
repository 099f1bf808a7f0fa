# Copied from the rate-limiter contract (contract/python-client.md),
# section "Simple Client", as written.
import requests
import time
from typing import Optional, Dict, Any
from dataclasses import dataclass

@dataclass
class RateLimitResult:
    allowed: bool
    key: str
    tokens_requested: int

class RateLimiterClient:
    """Simple synchronous rate limiter client."""
    
    def __init__(self, base_url: str = "http://localhost:8080", api_key: Optional[str] = None):
        self.base_url = base_url.rstrip('/')
        self.api_key = api_key
        self.session = requests.Session()
        
        # Set default timeout
        self.session.timeout = 10
        
    def check_rate_limit(self, key: str, tokens: int = 1) -> RateLimitResult:
        """Check if request is allowed under rate limit."""
        url = f"{self.base_url}/api/ratelimit/check"
        
        payload = {
            "key": key,
            "tokens": tokens
        }
        
        if self.api_key:
            payload["apiKey"] = self.api_key
            
        try:
            response = self.session.post(url, json=payload)
            
            # Handle different response codes
            if response.status_code == 200:
                data = response.json()
                return RateLimitResult(
                    allowed=data["allowed"],
                    key=data["key"],
                    tokens_requested=data["tokensRequested"]
                )
            elif response.status_code == 429:
                data = response.json()
                return RateLimitResult(
                    allowed=False,
                    key=data["key"],
                    tokens_requested=data["tokensRequested"]
                )
            elif response.status_code == 401:
                raise ValueError("Invalid API key")
            elif response.status_code == 403:
                raise ValueError("IP address not allowed")
            else:
                response.raise_for_status()
                
        except requests.exceptions.RequestException as e:
            # On network error, fail open (allow request)
            print(f"Rate limiter error: {e}, allowing request")
            return RateLimitResult(allowed=True, key=key, tokens_requested=tokens)

# Usage example
def main():
    client = RateLimiterClient(api_key="your-api-key")
    
    # Check rate limit for a user
    user_id = "user123"
    result = client.check_rate_limit(f"user:{user_id}", tokens=1)
    
    if result.allowed:
        print(f"Request allowed for {result.key}")
        # Process the request
    else:
        print(f"Rate limit exceeded for {result.key}")
        # Return error or implement backoff

if __name__ == "__main__":
    main()
