package dev.colloquy.user;

import dev.colloquy.web.ApiProblem;
import org.springframework.http.HttpStatus;

/** The password given to confirm a change of the account is not its password. */
public final class WrongPassword extends ApiProblem {

    public WrongPassword() {
        super(
                HttpStatus.FORBIDDEN,
                "wrong-password",
                "Wrong password",
                "The password given is not this account's password");
    }
}
