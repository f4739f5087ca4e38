package dev.colloquy.web;

import java.time.Duration;
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
 */
@Validated
@ConfigurationProperties("colloquy.web")
public record WebProperties(
        @DefaultValue("1MB") DataSize maxBodySize,
        @DefaultValue("24h") Duration idempotencyTtl) {}
