package dev.colloquy.web;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import org.jspecify.annotations.Nullable;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/** Writes a problem response from places outside Spring MVC: servlet filters and security handlers. */
@Component
public class ProblemWriter {

    private final JsonMapper json;

    ProblemWriter(JsonMapper json) {
        this.json = json;
    }

    /** Seconds a client is asked to wait before retrying while the database is unreachable. */
    static final String DATABASE_RETRY_AFTER = "5";

    /** Whether this failure (or a cause of it) means the database cannot be reached now. */
    public static boolean databaseUnreachable(@Nullable Throwable failure) {
        for (var cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof CannotGetJdbcConnectionException
                    || cause instanceof DataAccessResourceFailureException
                    || cause instanceof TransientDataAccessException
                    || cause instanceof SQLTransientConnectionException
                    || cause instanceof SQLNonTransientConnectionException) {
                return true;
            }
            // a commit or rollback the connection could not carry out: it broke under the transaction
            if (cause instanceof org.springframework.transaction.TransactionSystemException
                    && cause.getCause() instanceof SQLException) {
                return true;
            }
            // 08: connection exception; 57P: the server shutting down or restarting (PostgreSQL)
            if (cause instanceof SQLException sql
                    && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P"))) {
                return true;
            }
        }
        return false;
    }

    static ProblemDetail databaseUnavailableProblem() {
        var problem = ProblemDetail.forStatusAndDetail(
                HttpStatus.SERVICE_UNAVAILABLE, "The database is not answering; retry shortly");
        problem.setType(ProblemTypes.of("database-unavailable"));
        problem.setTitle("Service temporarily unavailable");
        return problem;
    }

    /**
     * For a filter that met the database down: replaces whatever the request had written so far (a
     * 201 and its Location, say) with 503 {@code database-unavailable} and {@code Retry-After}. False
     * when the response is already on its way and cannot be replaced.
     */
    public boolean writeDatabaseUnavailable(HttpServletResponse response) throws IOException {
        if (response.isCommitted()) {
            return false;
        }
        response.reset();
        RequestIds.current().ifPresent(id -> response.setHeader(RequestIds.HEADER, id));
        SecurityHeaders.apply(response);
        response.setHeader(HttpHeaders.RETRY_AFTER, DATABASE_RETRY_AFTER);
        write(response, databaseUnavailableProblem());
        return true;
    }

    public void write(HttpServletResponse response, ProblemDetail problem) throws IOException {
        RequestIds.current().ifPresent(id -> problem.setProperty("requestId", id));
        response.setStatus(problem.getStatus());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        response.setCharacterEncoding("UTF-8");
        json.writeValue(response.getOutputStream(), problem);
    }
}
