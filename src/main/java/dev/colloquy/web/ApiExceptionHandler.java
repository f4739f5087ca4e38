package dev.colloquy.web;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.exc.ValueInstantiationException;

/** Turns every failure of a request into an RFC 9457 problem response; nothing internal reaches the wire. */
@RestControllerAdvice
class ApiExceptionHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ApiExceptionHandler.class);

    @ExceptionHandler(ApiProblem.class)
    ResponseEntity<ProblemDetail> apiProblem(ApiProblem problem) {
        var body = body(problem);
        var response = ResponseEntity.status(problem.status());
        if (problem.retryAfter() != null) {
            response.header(
                    HttpHeaders.RETRY_AFTER, Long.toString(problem.retryAfter().toSeconds()));
        }
        return response.body(withRequestId(body));
    }

    /** The problem body of an {@link ApiProblem}, without the request id. */
    static ProblemDetail body(ApiProblem problem) {
        var body = ProblemDetail.forStatusAndDetail(problem.status(), problem.getMessage());
        body.setType(problem.type());
        body.setTitle(problem.title());
        problem.properties().forEach(body::setProperty);
        return body;
    }

    /** What a query string Tomcat cannot decode gets, here or (from a filter) through /error. */
    static InvalidParameter undecodableQuery() {
        return new InvalidParameter("the query string is not valid UTF-8 or has a broken %-escape");
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<ProblemDetail> typeMismatch(MethodArgumentTypeMismatchException e) {
        return apiProblem(new InvalidParameter("'" + e.getName() + "' has an invalid value"));
    }

    @ExceptionHandler({
        CannotGetJdbcConnectionException.class,
        DataAccessResourceFailureException.class,
        TransientDataAccessException.class
    })
    ResponseEntity<ProblemDetail> databaseUnavailable(Exception e) {
        log.warn("Database unavailable: {}", e.getMessage());
        return databaseUnavailable();
    }

    /** 503 with {@code Retry-After}: for a failure in a controller or, via /error, in a filter. */
    static ResponseEntity<ProblemDetail> databaseUnavailable() {
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                .header(HttpHeaders.RETRY_AFTER, ProblemWriter.DATABASE_RETRY_AFTER)
                .body(withRequestId(ProblemWriter.databaseUnavailableProblem()));
    }

    /**
     * An upload Tomcat cannot take apart: a file name with a NUL, a broken multipart body. (Too large
     * an upload is a subclass, answered 413 by the base class's more specific handler.)
     */
    @ExceptionHandler(org.springframework.web.multipart.MultipartException.class)
    ResponseEntity<ProblemDetail> unreadableUpload(org.springframework.web.multipart.MultipartException e) {
        return ResponseEntity.badRequest()
                .body(withRequestId(malformed(
                        "The upload could not be read: a broken multipart body, or a file name with a NUL character")));
    }

    /** A query string Tomcat cannot decode (not UTF-8, a broken %-escape): the client's mistake. */
    @ExceptionHandler(org.apache.tomcat.util.http.InvalidParameterException.class)
    ResponseEntity<ProblemDetail> undecodableParameter(org.apache.tomcat.util.http.InvalidParameterException e) {
        return apiProblem(undecodableQuery());
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> unexpected(Exception e) {
        log.error("Unhandled error", e);
        var body = problem(
                HttpStatus.INTERNAL_SERVER_ERROR,
                "internal-error",
                "Internal error",
                "An unexpected error occurred; quote the requestId when reporting it");
        return ResponseEntity.internalServerError().body(withRequestId(body));
    }

    @Override
    protected @Nullable ResponseEntity<Object> handleHttpMessageNotReadable(
            HttpMessageNotReadableException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        var body = unreadable(e);
        return ResponseEntity.status(body.getStatus()).body(withRequestId(body));
    }

    @Override
    protected @Nullable ResponseEntity<Object> handleMethodArgumentNotValid(
            MethodArgumentNotValidException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        var errors = e.getBindingResult().getFieldErrors().stream()
                .map(error -> Map.of(
                        "field",
                        error.getField(),
                        "message",
                        error.getDefaultMessage() == null ? "is invalid" : error.getDefaultMessage()))
                .toList();
        return invalid(errors);
    }

    @Override
    protected @Nullable ResponseEntity<Object> handleHandlerMethodValidationException(
            HandlerMethodValidationException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        var errors = e.getParameterValidationResults().stream()
                .flatMap(result -> result.getResolvableErrors().stream()
                        .map(error -> Map.of(
                                "field",
                                        result.getMethodParameter().getParameterName() == null
                                                ? "parameter"
                                                : result.getMethodParameter().getParameterName(),
                                "message",
                                        error.getDefaultMessage() == null ? "is invalid" : error.getDefaultMessage())))
                .toList();
        var body = problem(
                HttpStatus.BAD_REQUEST, "invalid-parameter", "Invalid parameter", "A parameter is out of range");
        body.setProperty("errors", errors);
        return ResponseEntity.badRequest().body(withRequestId(body));
    }

    @Override
    protected ResponseEntity<Object> createResponseEntity(
            @Nullable Object body, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        if (body instanceof ProblemDetail problem) {
            withRequestId(problem);
        }
        return super.createResponseEntity(body, headers, status, request);
    }

    private ResponseEntity<Object> invalid(List<Map<String, String>> errors) {
        var body = problem(
                HttpStatus.UNPROCESSABLE_CONTENT,
                "validation-failed",
                "Validation failed",
                "The request has invalid fields");
        body.setProperty("errors", errors);
        return ResponseEntity.unprocessableContent().body(withRequestId(body));
    }

    private static ProblemDetail unreadable(HttpMessageNotReadableException e) {
        for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
            switch (cause) {
                case BodyTooLarge tooLarge -> {
                    return RequestBodyLimitFilter.tooLarge(tooLarge.limit());
                }
                case UnrecognizedPropertyException unknown -> {
                    return malformed("Unknown field '" + unknown.getPropertyName() + "'");
                }
                case StreamConstraintsException ignored -> {
                    return malformed("The JSON document is nested too deeply or too large");
                }
                case ValueInstantiationException invalid
                when invalid.getCause() instanceof IllegalArgumentException iae -> {
                    return problem(
                            HttpStatus.UNPROCESSABLE_CONTENT,
                            "validation-failed",
                            "Validation failed",
                            iae.getMessage());
                }
                case InvalidFormatException format -> {
                    return malformed("Field '" + path(format) + "' has a value of the wrong type");
                }
                case MismatchedInputException mismatch
                when !mismatch.getPath().isEmpty() -> {
                    return malformed("Field '" + path(mismatch) + "' has a value of the wrong type");
                }
                default -> {}
            }
        }
        return malformed("The request body is not valid JSON for this endpoint");
    }

    private static String path(DatabindException e) {
        return e.getPath().stream()
                .map(ref -> ref.getPropertyName() != null ? ref.getPropertyName() : "[" + ref.getIndex() + "]")
                .reduce((a, b) -> b.startsWith("[") ? a + b : a + "." + b)
                .orElse("body");
    }

    private static ProblemDetail malformed(String detail) {
        return problem(HttpStatus.BAD_REQUEST, "malformed-request", "Malformed request", detail);
    }

    private static ProblemDetail problem(HttpStatus status, String slug, String title, @Nullable String detail) {
        var body = ProblemDetail.forStatusAndDetail(status, detail);
        body.setType(ProblemTypes.of(slug));
        body.setTitle(title);
        return body;
    }

    private static ProblemDetail withRequestId(ProblemDetail body) {
        RequestIds.current().ifPresent(id -> body.setProperty("requestId", id));
        return body;
    }
}
