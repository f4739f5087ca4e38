package dev.colloquy.llm;

import dev.colloquy.web.ApiProblem;
import java.util.Map;
import org.springframework.http.HttpStatus;

/** A call of a model the caller's account or API key may not use. */
public final class ModelNotAllowed extends ApiProblem {

    private final String model;

    ModelNotAllowed(String model) {
        super(
                HttpStatus.FORBIDDEN,
                "model-not-allowed",
                "Model not allowed",
                "Your account or API key may not use the model '" + model + "'; GET /v1/models lists those it may use");
        this.model = model;
    }

    public String model() {
        return model;
    }

    @Override
    public Map<String, Object> properties() {
        return Map.of("model", model);
    }
}
