package dev.colloquy.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.PessimisticLockingFailureException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.ContentCachingResponseWrapper;

/**
 * Makes a POST or PATCH that carries an {@code Idempotency-Key} safe to retry: the first request
 * with a key runs and its response is kept; a retry with the same key and the same request gets that
 * response back ({@code Idempotent-Replayed: true}) and creates nothing. A key reused for a different
 * request answers 422; a retry while the first is still running answers 409. Keys are per user.
 *
 * <p>Exactly once, even when a replica dies mid-request: the key, the request's own writes and the
 * kept response commit in one transaction. A replica killed before the commit leaves nothing behind
 * (PostgreSQL rolls the transaction back when the connection drops), so the load balancer's retry on
 * another replica runs the request afresh; one killed after it leaves the kept response, which the
 * retry gets back. A retry that arrives while the first is still running waits for it up to {@link
 * #CLAIM_WAIT}, then answers 409.
 */
@Component
class IdempotencyFilter extends OncePerRequestFilter {

    static final String HEADER = "Idempotency-Key";
    private static final Pattern ACCEPTABLE = Pattern.compile("[\\x21-\\x7e]{1,255}");
    private static final Logger log = LoggerFactory.getLogger(IdempotencyFilter.class);

    static final Duration CLAIM_WAIT = Duration.ofSeconds(3);

    private final IdempotencyKeys keys;
    private final ProblemWriter problems;
    private final WebProperties properties;
    private final TransactionTemplate transactions;

    IdempotencyFilter(
            IdempotencyKeys keys, ProblemWriter problems, WebProperties properties, TransactionTemplate transactions) {
        this.keys = keys;
        this.problems = problems;
        this.properties = properties;
        this.transactions = transactions;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        var method = request.getMethod();
        var accept = request.getHeader("Accept");
        // a stream cannot be held back and replayed; streamed requests are not deduplicated
        boolean streamed = accept != null && accept.contains("text/event-stream");
        return request.getHeader(HEADER) == null || !("POST".equals(method) || "PATCH".equals(method)) || streamed;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        var authentication = SecurityContextHolder.getContext().getAuthentication();
        if (authentication == null
                || authentication instanceof AnonymousAuthenticationToken
                || !authentication.isAuthenticated()) {
            chain.doFilter(request, response);
            return;
        }
        var key = request.getHeader(HEADER);
        if (!ACCEPTABLE.matcher(key).matches()) {
            problems.write(
                    response,
                    problem(
                            HttpStatus.BAD_REQUEST,
                            "invalid-idempotency-key",
                            "Invalid Idempotency-Key",
                            "Idempotency-Key must be 1 to 255 printable ASCII characters"));
            return;
        }
        var userId = UUID.fromString(authentication.getName());
        var body = request.getInputStream().readAllBytes();
        var fingerprint = fingerprint(request, body);
        for (int attempt = 0; attempt < 2; attempt++) {
            var recorder = new ContentCachingResponseWrapper(response);
            boolean ran;
            try {
                ran = runOnce(new CachedBodyRequest(request, body), recorder, chain, userId, key, fingerprint);
            } catch (PessimisticLockingFailureException stillRunning) {
                response.setHeader(HttpHeaders.RETRY_AFTER, "1");
                problems.write(response, inProgress());
                return;
            } catch (RuntimeException failure) {
                // the database went away, at the latest at the commit: nothing was kept, the key is
                // free, and what the request had written (its 201, its Location) must not reach the client
                if (ProblemWriter.databaseUnreachable(failure) && problems.writeDatabaseUnavailable(response)) {
                    return;
                }
                throw failure;
            }
            if (ran) {
                recorder.copyBodyToResponse();
                return;
            }
            var entry = keys.find(userId, key);
            if (entry.isEmpty() || entry.get().abandoned()) {
                keys.release(userId, key);
                continue;
            }
            replayOrRefuse(entry.get(), fingerprint, response);
            return;
        }
        problems.write(response, inProgress());
    }

    /**
     * Claims the key, runs the request and keeps its response, all in one transaction that the
     * request's own statements join. False when the key was already taken (nothing ran).
     */
    private boolean runOnce(
            HttpServletRequest request,
            ContentCachingResponseWrapper recorder,
            FilterChain chain,
            UUID userId,
            String key,
            byte[] fingerprint)
            throws ServletException, IOException {
        try {
            return Boolean.TRUE.equals(transactions.execute(status -> {
                if (!keys.claimWaiting(userId, key, fingerprint, properties.idempotencyTtl(), CLAIM_WAIT)) {
                    return false;
                }
                try {
                    chain.doFilter(request, recorder);
                } catch (IOException | ServletException e) {
                    throw new ChainFailed(e);
                }
                if (status.isRollbackOnly()) {
                    // a statement of the request failed and was rolled back: keep nothing, answer as it did
                    status.setRollbackOnly();
                } else if (recorder.getStatus() < 500 && !request.isAsyncStarted()) {
                    keys.complete(
                            userId,
                            key,
                            recorder.getStatus(),
                            recorder.getContentType(),
                            recorder.getHeader(HttpHeaders.LOCATION),
                            recorder.getContentAsByteArray());
                } else {
                    // a server error: what the request wrote stays, the key is free for a retry
                    keys.release(userId, key);
                }
                return true;
            }));
        } catch (ChainFailed e) {
            if (e.getCause() instanceof ServletException servlet) {
                throw servlet;
            }
            throw (IOException) e.getCause();
        }
    }

    /** Carries a checked exception of the filter chain out of the transaction, which it rolls back. */
    private static final class ChainFailed extends RuntimeException {
        ChainFailed(Exception cause) {
            super(cause);
        }
    }

    private void replayOrRefuse(IdempotencyKeys.Entry entry, byte[] fingerprint, HttpServletResponse response)
            throws IOException {
        if (!MessageDigest.isEqual(entry.fingerprint(), fingerprint)) {
            problems.write(
                    response,
                    problem(
                            HttpStatus.UNPROCESSABLE_CONTENT,
                            "idempotency-key-reused",
                            "Idempotency-Key reused",
                            "This Idempotency-Key was already used for a different request"));
            return;
        }
        if (!entry.completed()) {
            response.setHeader(HttpHeaders.RETRY_AFTER, "1");
            problems.write(response, inProgress());
            return;
        }
        response.setStatus(entry.status());
        response.setHeader("Idempotent-Replayed", "true");
        if (entry.contentType() != null) {
            response.setContentType(entry.contentType());
        }
        if (entry.location() != null) {
            response.setHeader(HttpHeaders.LOCATION, entry.location());
        }
        if (entry.body() != null) {
            response.getOutputStream().write(entry.body());
        }
    }

    @Scheduled(fixedDelayString = "PT10M", initialDelayString = "PT1M")
    void purgeExpired() {
        int purged = keys.purge();
        if (purged > 0) {
            log.debug("Purged {} expired idempotency keys", purged);
        }
    }

    private static ProblemDetail inProgress() {
        return problem(
                HttpStatus.CONFLICT,
                "idempotency-request-in-progress",
                "Request in progress",
                "A request with this Idempotency-Key is still being processed; retry shortly");
    }

    private static ProblemDetail problem(HttpStatus status, String slug, String title, String detail) {
        var problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(ProblemTypes.of(slug));
        problem.setTitle(title);
        return problem;
    }

    private static byte[] fingerprint(HttpServletRequest request, byte[] body) {
        try {
            var digest = MessageDigest.getInstance("SHA-256");
            digest.update(request.getMethod().getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
            digest.update(request.getRequestURI().getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
            var query = request.getQueryString();
            digest.update((query == null ? "" : query).getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
            return digest.digest(body);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** Serves a body that was read up front, so it can be fingerprinted and still reach the handler. */
    private static final class CachedBodyRequest extends HttpServletRequestWrapper {

        private final byte[] body;

        CachedBodyRequest(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = Arrays.copyOf(body, body.length);
        }

        @Override
        public ServletInputStream getInputStream() {
            var in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    return in.read(b, off, len);
                }

                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new IllegalStateException("the body is already in memory");
                }
            };
        }

        @Override
        public BufferedReader getReader() {
            return new BufferedReader(new InputStreamReader(getInputStream(), StandardCharsets.UTF_8));
        }
    }
}
