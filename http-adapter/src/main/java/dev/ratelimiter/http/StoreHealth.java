package dev.ratelimiter.http;

/**
 * What {@code /health} and the circuit gauge report about the store. Local stores are always
 * {@link Status#UP}; a remote store reports through the failure policy that wraps it.
 *
 * <p>Implementations are thread-safe and cheap: they are read on every health probe and scrape.
 */
interface StoreHealth {

    /** The store's state as {@code /health} reports it. */
    enum Status { UP, DEGRADED, DOWN }

    /** The failure policy's circuit breaker; {@code CLOSED} for stores without one. */
    enum Circuit { CLOSED, OPEN, HALF_OPEN }

    /** A store that is always up: the in-process stores. */
    StoreHealth LOCAL = new StoreHealth() {
        @Override
        public Status status() {
            return Status.UP;
        }

        @Override
        public Circuit circuit() {
            return Circuit.CLOSED;
        }

        @Override
        public boolean failClosed() {
            return false;
        }
    };

    /** @return the state now */
    Status status();

    /** @return the circuit breaker's state now */
    Circuit circuit();

    /** @return whether checks are refused (503) while the store is down */
    boolean failClosed();
}
