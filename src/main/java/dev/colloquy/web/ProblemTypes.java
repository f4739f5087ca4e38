package dev.colloquy.web;

import java.net.URI;

/** The stable {@code type} URIs of Colloquy's problem responses. */
public final class ProblemTypes {

    private static final String PREFIX = "urn:colloquy:problem:";

    private ProblemTypes() {}

    public static URI of(String slug) {
        return URI.create(PREFIX + slug);
    }
}
