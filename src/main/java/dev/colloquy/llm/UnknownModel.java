package dev.colloquy.llm;

import dev.colloquy.web.ApiProblem;
import org.springframework.http.HttpStatus;

/** A request for a model this service does not have. */
public final class UnknownModel extends ApiProblem {

    UnknownModel(String model) {
        super(
                HttpStatus.UNPROCESSABLE_CONTENT,
                "unknown-model",
                "Unknown model",
                "There is no model '" + model + "'; GET /v1/models lists them");
    }
}
