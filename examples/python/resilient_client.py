# Copied from the rate-limiter contract (contract/python-client.md),
# section "Error Handling and Resilience", as written.
# --- added so this file runs on its own: the contract's block subclasses the
# --- sync client and returns its result type.
from rate_limiter_client import RateLimiterClient, RateLimitResult
# --- the rest of this file is the contract's block, unchanged.

import logging
from functools import wraps
from time import sleep

logger = logging.getLogger(__name__)

class ResilientRateLimiterClient(RateLimiterClient):
    """Rate limiter client with retry and circuit breaker logic."""
    
    def __init__(self, *args, max_retries=3, fail_open=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_retries = max_retries
        self.fail_open = fail_open
        self.failure_count = 0
        self.last_failure_time = 0
        self.circuit_open_duration = 60  # seconds
        
    def check_rate_limit(self, key: str, tokens: int = 1) -> RateLimitResult:
        """Check rate limit with retry and circuit breaker."""
        
        # Circuit breaker check
        if self._is_circuit_open():
            logger.warning("Circuit breaker open, failing open")
            return RateLimitResult(allowed=True, key=key, tokens_requested=tokens)
        
        for attempt in range(self.max_retries + 1):
            try:
                result = super().check_rate_limit(key, tokens)
                self._record_success()
                return result
                
            except Exception as e:
                logger.error(f"Rate limiter attempt {attempt + 1} failed: {e}")
                
                if attempt < self.max_retries:
                    sleep(2 ** attempt)  # Exponential backoff
                else:
                    self._record_failure()
                    
                    if self.fail_open:
                        logger.warning("All retries failed, failing open")
                        return RateLimitResult(allowed=True, key=key, tokens_requested=tokens)
                    else:
                        raise
                        
    def _is_circuit_open(self) -> bool:
        """Check if circuit breaker is open."""
        if self.failure_count >= 5:  # Circuit opens after 5 failures
            if time.time() - self.last_failure_time < self.circuit_open_duration:
                return True
            else:
                # Try to close circuit
                self.failure_count = 0
                
        return False
        
    def _record_success(self):
        """Record successful request."""
        self.failure_count = 0
        
    def _record_failure(self):
        """Record failed request."""
        self.failure_count += 1
        self.last_failure_time = time.time()
