package dev.colloquy.web;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * The HTTP edge.
 *
 * @param maxBodySize largest JSON request body accepted; larger ones answer 413
 * @param idempotencyTtl how long a completed request is replayed for a repeated {@code
 *     Idempotency-Key}
 * @param maxInFlight {@code /api} and {@code /v1} requests one replica works on at once (streams
 *     included); past it a request waits {@code queueTimeout} for a place, then answers 503 with
 *     {@code Retry-After}
 * @param queueTimeout how long a request over {@code maxInFlight} waits for a place
 * @param corsAllowedOrigins origins whose pages may call the API from a browser; none by default
 */
@Validated
@ConfigurationProperties("colloquy.web")
public record WebProperties(
        @DefaultValue("1MB") DataSize maxBodySize,
        @DefaultValue("24h") Duration idempotencyTtl,
        @DefaultValue("1000") int maxInFlight,
        @DefaultValue("100ms") Duration queueTimeout,
        @DefaultValue List<String> corsAllowedOrigins) {

    public WebProperties {
        if (maxInFlight < 1 || queueTimeout.isNegative()) {
            throw new IllegalArgumentException(
                    "colloquy.web.max-in-flight must be positive and colloquy.web.queue-timeout not negative");
        }
        corsAllowedOrigins = List.copyOf(corsAllowedOrigins);
    }
}
