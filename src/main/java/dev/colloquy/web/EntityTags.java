package dev.colloquy.web;

import org.jspecify.annotations.Nullable;

/** Conditional requests: whether a request's {@code If-None-Match} names the current entity tag. */
public final class EntityTags {

    private EntityTags() {}

    /** True for {@code *}, the tag itself, or its weak form, anywhere in the comma-separated list. */
    public static boolean matches(@Nullable String ifNoneMatch, String etag) {
        if (ifNoneMatch == null) {
            return false;
        }
        for (var candidate : ifNoneMatch.split(",")) {
            var tag = candidate.strip();
            if (tag.equals("*") || tag.equals(etag) || tag.equals("W/" + etag)) {
                return true;
            }
        }
        return false;
    }
}
