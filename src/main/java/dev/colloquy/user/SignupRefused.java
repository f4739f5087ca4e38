package dev.colloquy.user;

import dev.colloquy.web.ApiProblem;
import org.springframework.http.HttpStatus;

/** The sign-up policy does not let this account be created. */
public final class SignupRefused extends ApiProblem {

    SignupRefused(String type, String detail) {
        super(HttpStatus.FORBIDDEN, type, "Sign-up refused", detail);
    }
}
