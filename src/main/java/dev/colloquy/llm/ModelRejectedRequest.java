package dev.colloquy.llm;

import dev.colloquy.web.ApiProblem;
import org.springframework.http.HttpStatus;

/** The upstream refused the request itself (too long, bad parameter): retrying it will not help. */
public final class ModelRejectedRequest extends ApiProblem {

    public ModelRejectedRequest(String model, String detail) {
        super(
                HttpStatus.UNPROCESSABLE_CONTENT,
                "model-rejected-request",
                "Model rejected the request",
                "Model " + model + " refused the request: " + detail);
    }
}
