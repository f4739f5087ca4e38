package dev.colloquy.user;

import dev.colloquy.web.ApiProblem;
import org.springframework.http.HttpStatus;

/** Registration with an email address that already has an account. */
public final class EmailTaken extends ApiProblem {

    EmailTaken() {
        super(
                HttpStatus.CONFLICT,
                "email-taken",
                "Email already registered",
                "An account with this email already exists");
    }
}
