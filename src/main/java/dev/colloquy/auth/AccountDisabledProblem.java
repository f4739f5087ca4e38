package dev.colloquy.auth;

import dev.colloquy.web.ApiProblem;
import org.springframework.http.HttpStatus;

/** The account was disabled by an admin: it cannot sign in. */
final class AccountDisabledProblem extends ApiProblem {

    AccountDisabledProblem() {
        super(
                HttpStatus.FORBIDDEN,
                "account-disabled",
                "Account disabled",
                "This account was disabled by an administrator");
    }
}
