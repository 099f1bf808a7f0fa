package dev.ratelimiter.spi;

/**
 * Thrown by a remote {@link BucketStore} when <em>this JVM</em> could not send a check in time:
 * its bounded queue of commands is full, or the check's deadline passed before the command was
 * written. The store itself may be healthy; the JVM is busy. This is back-pressure, not a store
 * failure: the engine answers it with {@link dev.ratelimiter.Decision.Outcome#OVERLOADED}, never
 * with the failure policy, and it never opens the circuit breaker (a fail-open answer here would
 * turn a traffic spike into unlimited admission).
 *
 * <p>Only what the store did (refused or reset a connection, timed out on a command that was
 * sent, answered with an error) is a {@link StoreUnavailableException}.
 */
public class StoreOverloadedException extends RuntimeException {

    /**
     * @param message what was full or late, naming the store
     */
    public StoreOverloadedException(String message) {
        super(message, null, false, false);
    }
}
