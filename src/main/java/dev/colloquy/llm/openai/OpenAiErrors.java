package dev.colloquy.llm.openai;

import dev.colloquy.llm.InvalidRequest;
import dev.colloquy.llm.UnknownModel;
import dev.colloquy.llm.UnsupportedParameters;
import dev.colloquy.web.ApiProblem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * Errors on {@code /v1} in OpenAI's shape, {@code {"error": {"message", "type", "param", "code"}}},
 * with the status OpenAI would use, so SDKs raise their usual exceptions (and retry where they should).
 */
@RestControllerAdvice(assignableTypes = OpenAiController.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
class OpenAiErrors {

    private static final Logger log = LoggerFactory.getLogger(OpenAiErrors.class);

    @ExceptionHandler(ApiProblem.class)
    ResponseEntity<Object> problem(ApiProblem problem) {
        // OpenAI answers an unknown model with 404
        var status = problem instanceof UnknownModel ? HttpStatus.NOT_FOUND : problem.status();
        var response = ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON);
        if (problem.retryAfter() != null) {
            response.header(
                    HttpHeaders.RETRY_AFTER, Long.toString(problem.retryAfter().toSeconds()));
        }
        return response.body(OpenAiApi.error(problem.getMessage(), type(status), param(problem), code(problem)));
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<Object> unreadable(HttpMessageNotReadableException e) {
        return ResponseEntity.badRequest()
                .contentType(MediaType.APPLICATION_JSON)
                .body(OpenAiApi.error(
                        "The request body is not valid JSON for this endpoint", "invalid_request_error", null));
    }

    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ResponseEntity<Object> mediaType(HttpMediaTypeNotSupportedException e) {
        return ResponseEntity.status(HttpStatus.UNSUPPORTED_MEDIA_TYPE)
                .contentType(MediaType.APPLICATION_JSON)
                .body(OpenAiApi.error("Send the request as application/json", "invalid_request_error", null));
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<Object> unexpected(Exception e) {
        log.error("Unhandled error on /v1", e);
        return ResponseEntity.internalServerError()
                .contentType(MediaType.APPLICATION_JSON)
                .body(OpenAiApi.error("An unexpected error occurred", "server_error", null));
    }

    /**
     * The error event of a stream that failed after it began, classified as OpenAI classifies errors:
     * a model that is unavailable or overloaded may pass on a retry, a refused request will not.
     */
    static java.util.Map<String, OpenAiApi.Error> streamed(RuntimeException failure) {
        if (failure instanceof ApiProblem problem) {
            return OpenAiApi.error(problem.getMessage(), type(problem.status()), param(problem), code(problem));
        }
        return OpenAiApi.error("The model failed mid-answer; retry", "server_error", null);
    }

    private static @org.jspecify.annotations.Nullable String param(ApiProblem problem) {
        return switch (problem) {
            case InvalidRequest invalid -> (String) invalid.properties().get("param");
            case UnsupportedParameters unsupported -> unsupported.parameter();
            case dev.colloquy.llm.ModelNotAllowed ignored -> "model";
            default -> null;
        };
    }

    private static @org.jspecify.annotations.Nullable String code(ApiProblem problem) {
        return switch (problem) {
            case UnknownModel ignored -> "model_not_found";
            case InvalidRequest ignored -> null;
            default ->
                problem.type()
                        .toString()
                        .substring(problem.type().toString().lastIndexOf(':') + 1)
                        .replace('-', '_');
        };
    }

    static String type(HttpStatusCode status) {
        return switch (status.value()) {
            case 401 -> "authentication_error";
            case 403 -> "permission_error";
            case 404 -> "not_found_error";
            case 429 -> "rate_limit_error";
            default -> status.is5xxServerError() ? "server_error" : "invalid_request_error";
        };
    }
}
