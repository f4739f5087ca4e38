package dev.colloquy.web;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Answers what the servlet container routes to {@code /error} (failures before or outside Spring MVC)
 * with a problem response in place of Boot's default error body.
 */
@RestController
class ProblemErrorController implements ErrorController {

    @RequestMapping(value = "/error", produces = MediaType.ALL_VALUE)
    ResponseEntity<ProblemDetail> error(HttpServletRequest request) {
        var failure = (Throwable) request.getAttribute(RequestDispatcher.ERROR_EXCEPTION);
        for (var cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof BodyTooLarge tooLarge) {
                return respond(RequestBodyLimitFilter.tooLarge(tooLarge.limit()));
            }
            if (cause instanceof org.apache.tomcat.util.http.InvalidParameterException) {
                return respond(ApiExceptionHandler.body(ApiExceptionHandler.undecodableQuery()));
            }
        }
        if (ProblemWriter.databaseUnreachable(failure)) {
            // a filter (session lookup, Idempotency-Key claim) met the database down
            return ApiExceptionHandler.databaseUnavailable();
        }
        var code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        if (code == null) {
            // /error asked for directly: there is no error to report
            return respond(ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, "No such resource"));
        }
        var status = HttpStatus.resolve(code instanceof Integer i ? i : 500);
        if (status == null || status.is2xxSuccessful()) {
            status = HttpStatus.INTERNAL_SERVER_ERROR;
        }
        var problem = ProblemDetail.forStatus(status);
        problem.setDetail(
                status.is5xxServerError()
                        ? "An unexpected error occurred; quote the requestId when reporting it"
                        : status.getReasonPhrase());
        return respond(problem);
    }

    private static ResponseEntity<ProblemDetail> respond(ProblemDetail problem) {
        RequestIds.current().ifPresent(id -> problem.setProperty("requestId", id));
        return ResponseEntity.status(problem.getStatus())
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(problem);
    }
}
