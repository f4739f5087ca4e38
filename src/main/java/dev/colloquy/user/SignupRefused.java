package dev.colloquy.user;

import dev.colloquy.web.ApiProblem;
import org.springframework.http.HttpStatus;

/** The sign-up policy does not let this account be created. */
public final class SignupRefused extends ApiProblem {

    private final String code;

    SignupRefused(String type, String detail) {
        super(HttpStatus.FORBIDDEN, type, "Sign-up refused", detail);
        this.code = type;
    }

    /** Why, as a short code: the last segment of the problem type, such as {@code signup-closed}. */
    public String code() {
        return code;
    }
}
