package dev.colloquy.auth;

import dev.colloquy.web.ApiProblem;
import org.springframework.http.HttpStatus;

/** A login with an unknown email or a wrong password; which of the two is never said. */
final class InvalidCredentials extends ApiProblem {

    InvalidCredentials() {
        super(HttpStatus.UNAUTHORIZED, "invalid-credentials", "Invalid credentials", "The email or password is wrong");
    }
}
