package dev.colloquy.auth;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Authentication.
 *
 * @param sessionTtl how long a login session token stays valid
 */
@ConfigurationProperties("colloquy.auth")
public record AuthProperties(@DefaultValue("7d") Duration sessionTtl) {

    public AuthProperties {
        if (sessionTtl.isNegative() || sessionTtl.isZero()) {
            throw new IllegalArgumentException("colloquy.auth.session-ttl must be positive");
        }
    }
}
