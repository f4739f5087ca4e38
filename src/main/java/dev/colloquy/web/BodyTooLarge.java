package dev.colloquy.web;

import java.io.IOException;

/** Thrown while reading a request body that turns out larger than the configured limit. */
final class BodyTooLarge extends IOException {

    private final long limit;

    BodyTooLarge(long limit) {
        super("request body exceeds " + limit + " bytes", null);
        this.limit = limit;
    }

    long limit() {
        return limit;
    }
}
