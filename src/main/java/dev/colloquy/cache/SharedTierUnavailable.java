package dev.colloquy.cache;

/** The shared tier could not answer: not configured, breaker open, timed out or failed. */
final class SharedTierUnavailable extends RuntimeException {

    SharedTierUnavailable(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
