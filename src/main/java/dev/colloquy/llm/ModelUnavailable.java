package dev.colloquy.llm;

import dev.colloquy.web.ApiProblem;
import java.time.Duration;
import org.springframework.http.HttpStatus;

/** Every model of the chain failed, or none may be called now: the client should retry later. */
public final class ModelUnavailable extends ApiProblem {

    public ModelUnavailable(String model, String reason, Duration retryAfter) {
        super(
                HttpStatus.SERVICE_UNAVAILABLE,
                "model-unavailable",
                "Model unavailable",
                "Model " + model + " could not answer (" + reason + "); retry later",
                retryAfter);
    }
}
