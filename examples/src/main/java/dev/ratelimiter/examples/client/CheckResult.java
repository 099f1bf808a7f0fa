package dev.ratelimiter.examples.client;

/**
 * The server's answer to one check, or the client's own answer when the server could not be
 * reached ({@code degraded}). Immutable; {@code key} is never null.
 *
 * @param allowed whether the request may proceed
 * @param key the key checked
 * @param tokensRequested tokens asked for
 * @param remainingTokens tokens left, or -1 when degraded
 * @param retryAfterMs milliseconds until a retry may succeed (0 when allowed), or -1 when unknown
 * @param degraded true when the server was not reached and the fail-open setting answered
 */
public record CheckResult(boolean allowed, String key, long tokensRequested, long remainingTokens,
                          long retryAfterMs, boolean degraded) {
}
