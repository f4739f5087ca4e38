package dev.colloquy.web;

import org.springframework.http.HttpStatus;

/**
 * A resource that does not exist for this caller. Another user's resource is reported the same way,
 * so its existence never leaks.
 */
public class NotFound extends ApiProblem {

    public NotFound(String what) {
        super(HttpStatus.NOT_FOUND, "not-found", "Not found", what + " was not found");
    }
}
