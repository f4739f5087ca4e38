package dev.colloquy.web;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Backpressure: at most {@code colloquy.web.max-in-flight} {@code /api} and {@code /v1} requests at
 * once per replica. One over the limit waits {@code queue-timeout} for a place, then answers 503
 * {@code overloaded} with {@code Retry-After}, before anything is read or allocated for it: an
 * overloaded replica answers the requests it took at their usual speed and refuses the rest at once,
 * rather than queueing them all until memory or the database pool runs out. Probes, metrics and the
 * web UI's static files are never refused. Streams are written on the request's own (virtual)
 * thread, so a stream holds its place until it ends.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 5)
public class LoadShedding extends OncePerRequestFilter {

    static final String RETRY_AFTER_SECONDS = "1";

    private final Semaphore places;
    private final int maxInFlight;
    private final Duration queueTimeout;
    private final ProblemWriter problems;
    private final Counter shed;

    LoadShedding(WebProperties properties, ProblemWriter problems, MeterRegistry registry) {
        this.places = new Semaphore(properties.maxInFlight());
        this.maxInFlight = properties.maxInFlight();
        this.queueTimeout = properties.queueTimeout();
        this.problems = problems;
        this.shed = Counter.builder("http.server.requests.shed")
                .description("API requests refused with 503 because the replica had max-in-flight requests already")
                .register(registry);
        Gauge.builder("http.server.requests.in.flight", this, LoadShedding::inFlight)
                .description("API requests this replica is working on (the ones max-in-flight counts)")
                .register(registry);
    }

    /** The {@code /api} and {@code /v1} requests this replica is working on, the caller's included. */
    public int inFlight() {
        return maxInFlight - places.availablePermits();
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        var path = request.getRequestURI();
        return !(path.startsWith("/api/") || path.startsWith("/v1/"));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        boolean admitted;
        try {
            admitted = places.tryAcquire(queueTimeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            admitted = false;
        }
        if (!admitted) {
            shed.increment();
            response.setHeader(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS);
            response.setHeader(HttpHeaders.CONNECTION, "close");
            problems.write(response, overloaded());
            return;
        }
        try {
            chain.doFilter(request, response);
        } finally {
            places.release();
        }
    }

    private static ProblemDetail overloaded() {
        var problem = ProblemDetail.forStatusAndDetail(
                HttpStatus.SERVICE_UNAVAILABLE,
                "This replica is working on as many requests as it takes at once; retry after the time in Retry-After");
        problem.setType(ProblemTypes.of("overloaded"));
        problem.setTitle("Overloaded");
        return problem;
    }
}
