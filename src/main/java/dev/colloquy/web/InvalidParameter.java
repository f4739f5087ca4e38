package dev.colloquy.web;

import org.springframework.http.HttpStatus;

/** A query or path parameter the request cannot be served with. */
public class InvalidParameter extends ApiProblem {

    public InvalidParameter(String detail) {
        super(HttpStatus.BAD_REQUEST, "invalid-parameter", "Invalid parameter", detail);
    }
}
