package dev.colloquy.llm.anthropic;

import dev.colloquy.llm.UnknownModel;
import dev.colloquy.web.ApiProblem;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * Errors on {@code /v1/messages} in Anthropic's shape, {@code {"type":"error","error":{"type",
 * "message"}}}, with the status Anthropic would use, so the Anthropic SDK raises its usual errors
 * (and retries an overloaded model).
 */
@RestControllerAdvice(assignableTypes = AnthropicController.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
class AnthropicErrors {

    private static final Logger log = LoggerFactory.getLogger(AnthropicErrors.class);

    @ExceptionHandler(ApiProblem.class)
    ResponseEntity<Object> problem(ApiProblem problem) {
        var status = problem instanceof UnknownModel ? HttpStatus.NOT_FOUND : problem.status();
        var response = ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON);
        if (problem.retryAfter() != null) {
            response.header(
                    HttpHeaders.RETRY_AFTER, Long.toString(problem.retryAfter().toSeconds()));
        }
        return response.body(body(problem));
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<Object> unreadable(HttpMessageNotReadableException e) {
        return ResponseEntity.badRequest()
                .contentType(MediaType.APPLICATION_JSON)
                .body(error("invalid_request_error", "The request body is not a JSON object"));
    }

    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ResponseEntity<Object> mediaType(HttpMediaTypeNotSupportedException e) {
        return ResponseEntity.status(HttpStatus.UNSUPPORTED_MEDIA_TYPE)
                .contentType(MediaType.APPLICATION_JSON)
                .body(error("invalid_request_error", "Send the request as application/json"));
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<Object> unexpected(Exception e) {
        log.error("Unhandled error on /v1/messages", e);
        return ResponseEntity.internalServerError()
                .contentType(MediaType.APPLICATION_JSON)
                .body(error("api_error", "An unexpected error occurred"));
    }

    /** The error body for a failure, also sent as the {@code error} event of a stream that had begun. */
    static Map<String, Object> body(RuntimeException failure) {
        if (!(failure instanceof ApiProblem problem)) {
            return error("api_error", "The model failed mid-answer; retry");
        }
        var type = switch (problem.status().value()) {
            case 401 -> "authentication_error";
            case 403 -> "permission_error";
            case 404 -> "not_found_error";
            case 413 -> "request_too_large";
            case 429 -> "rate_limit_error";
            case 503, 529 -> "overloaded_error";
            default -> problem.status().is5xxServerError() ? "api_error" : "invalid_request_error";
        };
        return error(type, problem.getMessage());
    }

    private static Map<String, Object> error(String type, String message) {
        return Map.of("type", "error", "error", Map.of("type", type, "message", message));
    }
}
