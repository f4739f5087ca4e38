package dev.colloquy.auth;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Authentication.
 *
 * @param sessionTtl how long a login session token stays valid
 * @param loginMaxFailures wrong passwords for one email within the window before its logins answer 429
 * @param loginMaxFailuresPerAddress failed logins from one client address within the window before 429
 * @param loginWindow how long failures count
 */
@ConfigurationProperties("colloquy.auth")
public record AuthProperties(
        @DefaultValue("7d") Duration sessionTtl,
        @DefaultValue("5") int loginMaxFailures,
        @DefaultValue("100") int loginMaxFailuresPerAddress,
        @DefaultValue("15m") Duration loginWindow) {

    public AuthProperties {
        if (sessionTtl.isNegative() || sessionTtl.isZero()) {
            throw new IllegalArgumentException("colloquy.auth.session-ttl must be positive");
        }
        if (loginMaxFailures < 1 || loginMaxFailuresPerAddress < 1 || !loginWindow.isPositive()) {
            throw new IllegalArgumentException(
                    "colloquy.auth.login-max-failures, login-max-failures-per-address and login-window must be positive");
        }
    }
}
