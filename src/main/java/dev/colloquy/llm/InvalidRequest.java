package dev.colloquy.llm;

import dev.colloquy.web.ApiProblem;
import java.util.Map;
import org.springframework.http.HttpStatus;

/** A {@code /v1} request OpenAI's API would refuse too. */
public final class InvalidRequest extends ApiProblem {

    private final String param;

    public InvalidRequest(String detail, String param) {
        super(HttpStatus.BAD_REQUEST, "invalid-request", "Invalid request", detail);
        this.param = param;
    }

    @Override
    public Map<String, Object> properties() {
        return Map.of("param", param);
    }
}
