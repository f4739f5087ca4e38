package dev.colloquy.platform;

import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Keyset cursors.
 *
 * @param secret key that signs cursors; set the same value on every replica (at least 32 characters).
 *     Unset, each process makes its own, and cursors do not survive a restart or cross replicas.
 * @param ttl how long a cursor stays valid
 */
@ConfigurationProperties("colloquy.cursors")
public record CursorProperties(
        @Nullable String secret, @DefaultValue("24h") Duration ttl) {

    public CursorProperties {
        if (secret != null && !secret.isBlank() && secret.length() < 32) {
            throw new IllegalArgumentException("colloquy.cursors.secret must be at least 32 characters");
        }
    }
}
