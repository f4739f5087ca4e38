package dev.colloquy.auth;

import dev.colloquy.web.ApiProblem;
import java.time.Duration;
import org.springframework.http.HttpStatus;

/** Too many wrong passwords lately for this email or from this address; try again after Retry-After. */
final class TooManyLoginAttempts extends ApiProblem {

    TooManyLoginAttempts(Duration retryAfter) {
        super(
                HttpStatus.TOO_MANY_REQUESTS,
                "too-many-login-attempts",
                "Too many login attempts",
                "Too many failed logins for this account or from this address; try again in "
                        + Math.max(1, retryAfter.toSeconds()) + " s",
                Duration.ofSeconds(Math.max(1, (retryAfter.toMillis() + 999) / 1000)));
    }
}
