package dev.colloquy.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.Part;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
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
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Makes a POST or PATCH that carries an {@code Idempotency-Key} safe to retry: the first request
 * with a key runs and its response is kept; a retry with the same key and the same request gets that
 * response back ({@code Idempotent-Replayed: true}) and creates nothing. A key reused for a different
 * request answers 422; a retry while the first is still running answers 409. Keys are per user.
 *
 * <p>Exactly once, even when a replica dies mid-request:
 *
 * <ul>
 *   <li>A request that calls no model is short: the key, the request's own writes and the kept
 *       response commit in one transaction. A replica killed before the commit leaves nothing behind
 *       (PostgreSQL rolls the transaction back when the connection drops), so the load balancer's
 *       retry on another replica runs the request afresh; one killed after it leaves the kept
 *       response, which the retry gets back.
 *   <li>A request that calls a model ({@code /v1/...}, a chat turn) may take minutes, and must not
 *       hold one of the pool's connections in a transaction for that long: its key is claimed with a
 *       lease committed at once and renewed every {@link #RENEW_EVERY} while it runs, the request
 *       runs outside any transaction, and its response is kept by a last short statement. A replica
 *       that dies stops renewing; once the lease has run out ({@link #LEASE}), a retry takes the key
 *       over and goes on from the checkpoint the dead attempt left ({@link IdempotentRequest}).
 * </ul>
 *
 * A retry that arrives while the first is still running waits for it up to {@link #CLAIM_WAIT}, then
 * answers 409.
 */
@Component
class IdempotencyFilter extends OncePerRequestFilter {

    static final String HEADER = "Idempotency-Key";
    private static final Pattern ACCEPTABLE = Pattern.compile("[\\x21-\\x7e]{1,255}");
    private static final Logger log = LoggerFactory.getLogger(IdempotencyFilter.class);

    static final Duration CLAIM_WAIT = Duration.ofSeconds(3);
    static final Duration LEASE = Duration.ofSeconds(30);
    static final Duration RENEW_EVERY = Duration.ofSeconds(10);
    private static final Duration POLL = Duration.ofMillis(100);
    /** Chat turns: {@code /api/conversations/{id}/messages}. */
    private static final byte[] STREAM_FIELD = "\"stream\"".getBytes(StandardCharsets.US_ASCII);

    private static final Pattern CHAT_TURN = Pattern.compile("/api/conversations/[^/]+/messages");

    /** A leased key this replica is running a request for. */
    private record Lease(UUID userId, String key, UUID owner) {}

    private final Set<Lease> leases = ConcurrentHashMap.newKeySet();

    private final IdempotencyKeys keys;
    private final ProblemWriter problems;
    private final WebProperties properties;
    private final TransactionTemplate transactions;
    private final JsonMapper json;

    IdempotencyFilter(
            IdempotencyKeys keys,
            ProblemWriter problems,
            WebProperties properties,
            TransactionTemplate transactions,
            JsonMapper json) {
        this.json = json;
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
        byte[] fingerprint;
        HttpServletRequest forwarded;
        if (isMultipart(request)) {
            // parsed by the container, which keeps the parts for the handler (reading the body here
            // would leave it none); the fingerprint is of the parts, so a retry's new boundary matches
            var parts = parts(request);
            if (parts == null) {
                chain.doFilter(request, response); // the handler refuses it with the parser's reason
                return;
            }
            fingerprint = fingerprint(request, parts);
            forwarded = request;
        } else {
            var body = request.getInputStream().readAllBytes();
            if (callsModel(request) && asksForStream(body)) {
                // an API call streamed by its body's "stream": true, whatever its Accept header says: a
                // stream cannot be held back and replayed, so it is not deduplicated (as with Accept)
                chain.doFilter(new CachedBodyRequest(request, body), response);
                return;
            }
            fingerprint = fingerprint(request, body);
            forwarded = new CachedBodyRequest(request, body);
        }
        if (callsModel(request)) {
            runLeased(forwarded, response, chain, userId, key, fingerprint);
            return;
        }
        for (int attempt = 0; attempt < 2; attempt++) {
            var recorder = new ContentCachingResponseWrapper(response);
            boolean ran;
            try {
                ran = runOnce(forwarded, recorder, chain, userId, key, fingerprint);
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

    /** Whether a JSON body asks for its answer as a stream ({@code "stream": true}, OpenAI's and Anthropic's). */
    private boolean asksForStream(byte[] body) {
        if (!contains(body, STREAM_FIELD)) {
            return false; // most bodies: no parse at all
        }
        try {
            return json.readTree(body).path("stream").asBoolean(false);
        } catch (JacksonException notJson) {
            return false; // the handler answers it with its own error
        }
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /** Whether the request may call a model, and so may take minutes: those run under a lease. */
    static boolean callsModel(HttpServletRequest request) {
        var path = request.getRequestURI();
        return path.startsWith("/v1/") || CHAT_TURN.matcher(path).matches();
    }

    /**
     * Claims the key with a lease (or takes over the lease of a dead attempt of the same request, or
     * replays, or refuses), runs the request outside any transaction, and keeps its response.
     */
    private void runLeased(
            HttpServletRequest request,
            HttpServletResponse response,
            FilterChain chain,
            UUID userId,
            String key,
            byte[] fingerprint)
            throws ServletException, IOException {
        var lease = new Lease(userId, key, UUID.randomUUID());
        @Nullable String checkpoint;
        try {
            long deadline = System.nanoTime() + CLAIM_WAIT.toNanos();
            while (true) {
                if (keys.lease(userId, key, fingerprint, properties.idempotencyTtl(), lease.owner(), LEASE)) {
                    checkpoint = null;
                    break;
                }
                var takeover = keys.takeOver(userId, key, fingerprint, lease.owner(), LEASE);
                if (takeover.isPresent()) {
                    checkpoint = takeover.get().checkpoint();
                    log.info("Idempotency-Key of a request whose replica stopped renewing it taken over");
                    break;
                }
                var entry = keys.find(userId, key);
                if (entry.isPresent()
                        && (entry.get().completed()
                                || !MessageDigest.isEqual(entry.get().fingerprint(), fingerprint))) {
                    replayOrRefuse(entry.get(), fingerprint, response);
                    return;
                }
                if (System.nanoTime() - deadline > 0) {
                    response.setHeader(HttpHeaders.RETRY_AFTER, "1");
                    problems.write(response, inProgress());
                    return;
                }
                // still running elsewhere (or just released): look again shortly
                Thread.sleep(POLL);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for an earlier request with this key", e);
        } catch (RuntimeException failure) {
            if (ProblemWriter.databaseUnreachable(failure) && problems.writeDatabaseUnavailable(response)) {
                return;
            }
            throw failure;
        }
        leases.add(lease);
        var recorder = new ContentCachingResponseWrapper(response);
        boolean kept = false;
        try {
            request.setAttribute(
                    IdempotentRequest.ATTRIBUTE,
                    new IdempotentRequest(checkpoint, value -> keys.checkpoint(userId, key, lease.owner(), value)));
            chain.doFilter(request, recorder);
            if (recorder.getStatus() < 500 && !request.isAsyncStarted()) {
                kept = keys.completeLeased(
                        userId,
                        key,
                        lease.owner(),
                        recorder.getStatus(),
                        recorder.getContentType(),
                        recorder.getHeader(HttpHeaders.LOCATION),
                        recorder.getContentAsByteArray());
                if (!kept) {
                    log.warn("Idempotency-Key was taken over while its request ran; its response is not kept");
                }
            }
        } catch (RuntimeException failure) {
            if (!ProblemWriter.databaseUnreachable(failure)) {
                throw failure;
            }
            // the answer is made; only keeping it failed: the client gets it, a retry runs from the checkpoint
            log.warn("Response of a keyed request not kept, the database is unreachable: {}", failure.getMessage());
            kept = true;
        } finally {
            leases.remove(lease);
            if (!kept) {
                releaseQuietly(lease);
            }
        }
        recorder.copyBodyToResponse();
    }

    /** Frees the key of a request that failed, so a retry runs it again. */
    private void releaseQuietly(Lease lease) {
        try {
            keys.releaseLeased(lease.userId(), lease.key(), lease.owner());
        } catch (RuntimeException e) {
            log.warn("Idempotency-Key not released, a retry waits for its lease to run out: {}", e.getMessage());
        }
    }

    /** Keeps the leases of the requests this replica is running alive. */
    @Scheduled(fixedDelayString = "PT10S", initialDelayString = "PT10S")
    void renewLeases() {
        for (var lease : leases) {
            try {
                if (!keys.renew(lease.userId(), lease.key(), lease.owner(), LEASE)) {
                    leases.remove(lease);
                }
            } catch (RuntimeException e) {
                log.warn("Idempotency lease not renewed: {}", e.getMessage());
                return;
            }
        }
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
        return fingerprint(request.getMethod(), request.getRequestURI(), request.getQueryString(), body);
    }

    /** What tells one request from another under the same key: method, path, query and body. */
    static byte[] fingerprint(String method, String path, @Nullable String query, byte[] body) {
        return digestOf(method, path, query).digest(body);
    }

    /** The same for a form: each part's name, file name and content in order, whatever the boundary. */
    private static byte[] fingerprint(HttpServletRequest request, Collection<Part> parts) throws IOException {
        var digest = digestOf(request.getMethod(), request.getRequestURI(), request.getQueryString());
        try (var out = new DigestOutputStream(OutputStream.nullOutputStream(), digest)) {
            for (var part : parts) {
                out.write(part.getName().getBytes(StandardCharsets.UTF_8));
                out.write(0);
                var filename = part.getSubmittedFileName();
                out.write((filename == null ? "" : filename).getBytes(StandardCharsets.UTF_8));
                out.write(0);
                try (var content = part.getInputStream()) {
                    content.transferTo(out);
                }
                out.write(0);
            }
        }
        return digest.digest();
    }

    private static MessageDigest digestOf(String method, String path, @Nullable String query) {
        try {
            var digest = MessageDigest.getInstance("SHA-256");
            digest.update(method.getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
            digest.update(path.getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
            digest.update((query == null ? "" : query).getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
            return digest;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static boolean isMultipart(HttpServletRequest request) {
        var type = request.getContentType();
        return type != null && type.toLowerCase(Locale.ROOT).startsWith("multipart/");
    }

    /** The parts of a multipart request, or null when the container cannot read them (too large, malformed). */
    private static @Nullable Collection<Part> parts(HttpServletRequest request) {
        try {
            return request.getParts();
        } catch (IOException | ServletException | IllegalStateException unreadable) {
            return null;
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
