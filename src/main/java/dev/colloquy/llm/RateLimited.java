package dev.colloquy.llm;

import dev.colloquy.web.ApiProblem;
import java.time.Duration;
import java.util.Map;
import org.springframework.http.HttpStatus;

/** A call over the caller's requests- or tokens-per-minute limit; {@code Retry-After} says when to come back. */
public final class RateLimited extends ApiProblem {

    private final String limit;

    public RateLimited(String limit, Duration retryAfter) {
        super(
                HttpStatus.TOO_MANY_REQUESTS,
                "rate-limited",
                "Rate limited",
                "Over the " + limit + " limit; retry after " + Math.max(1, retryAfter.toSeconds()) + " s",
                Duration.ofSeconds(Math.max(1, (long) Math.ceil(retryAfter.toMillis() / 1000.0))));
        this.limit = limit;
    }

    @Override
    public Map<String, Object> properties() {
        return Map.of("limit", limit);
    }
}
