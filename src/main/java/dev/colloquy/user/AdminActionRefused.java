package dev.colloquy.user;

import dev.colloquy.web.ApiProblem;
import org.springframework.http.HttpStatus;

/** An admin action that does not apply to the account as it is. */
final class AdminActionRefused extends ApiProblem {

    AdminActionRefused(String detail) {
        super(HttpStatus.CONFLICT, "admin-action-refused", "Action refused", detail);
    }
}
