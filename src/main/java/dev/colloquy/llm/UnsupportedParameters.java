package dev.colloquy.llm;

import dev.colloquy.web.ApiProblem;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;

/**
 * The model's API cannot honour these parameters, and its operator did not opt in to dropping them:
 * answered 400, naming them, rather than answered as if they were not asked for.
 */
public final class UnsupportedParameters extends ApiProblem {

    /** Names the parameters a model with {@code drop-params} left out of the call. */
    public static final String DROPPED_HEADER = "X-Colloquy-Dropped-Params";

    private final List<String> parameters;

    UnsupportedParameters(LlmModel model, List<String> parameters) {
        super(
                HttpStatus.BAD_REQUEST,
                "unsupported-parameter",
                "Unsupported parameter",
                (model.isLocal()
                                ? "Model local is Colloquy's built-in model: no generative model is configured, and it has"
                                        + " no tool calling, structured output or attachments. It cannot honour: "
                                : "Model " + model.name() + " (" + model.provider() + " API) cannot honour: ")
                        + String.join(", ", parameters)
                        + (model.isLocal() ? "" : ". Its operator may let it drop them (drop-params)."));
        this.parameters = List.copyOf(parameters);
    }

    /** The first parameter, as OpenAI's error {@code param} names one. */
    public String parameter() {
        return parameters.getFirst();
    }

    @Override
    public Map<String, Object> properties() {
        return Map.of("parameters", parameters);
    }
}
