package dev.colloquy.web;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

/**
 * Base of every exception a feature raises to tell the client what went wrong. The advice turns it
 * into an RFC 9457 problem response whose {@code type} is stable for the slug given here.
 */
public abstract class ApiProblem extends RuntimeException {

    private final HttpStatus status;
    private final String slug;
    private final String title;
    private final @Nullable Duration retryAfter;

    protected ApiProblem(HttpStatus status, String slug, String title, String detail) {
        this(status, slug, title, detail, null);
    }

    protected ApiProblem(HttpStatus status, String slug, String title, String detail, @Nullable Duration retryAfter) {
        super(detail, null, false, false);
        this.status = status;
        this.slug = slug;
        this.title = title;
        this.retryAfter = retryAfter;
    }

    public HttpStatus status() {
        return status;
    }

    public URI type() {
        return ProblemTypes.of(slug);
    }

    public String title() {
        return title;
    }

    public @Nullable Duration retryAfter() {
        return retryAfter;
    }

    /** Extra members of the problem body; none by default. */
    public Map<String, Object> properties() {
        return Map.of();
    }
}
