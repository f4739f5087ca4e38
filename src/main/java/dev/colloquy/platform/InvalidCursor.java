package dev.colloquy.platform;

import dev.colloquy.web.ApiProblem;
import org.springframework.http.HttpStatus;

/** A cursor that was not made by this service for this list, was altered, or has expired. */
public final class InvalidCursor extends ApiProblem {

    InvalidCursor() {
        super(
                HttpStatus.BAD_REQUEST,
                "invalid-cursor",
                "Invalid cursor",
                "The cursor is not valid for this list or has expired; start again from the first page");
    }
}
