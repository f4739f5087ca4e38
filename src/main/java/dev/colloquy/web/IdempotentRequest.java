package dev.colloquy.web;

import jakarta.servlet.http.HttpServletRequest;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A request with an {@code Idempotency-Key} that calls a model, as its handler sees it. Such a
 * request runs outside any transaction (a model call may take minutes, and must not hold a pooled
 * connection), so a replica that dies half-way leaves what it had written. The handler marks how far
 * it got with {@link #checkpoint(String)}, in the same transaction as those writes; when the client
 * retries on another replica, {@link #checkpoint()} tells the handler where to go on from instead of
 * doing it twice.
 */
public final class IdempotentRequest {

    static final String ATTRIBUTE = IdempotentRequest.class.getName();

    private final @Nullable String resumeFrom;
    private final Consumer<String> store;

    IdempotentRequest(@Nullable String resumeFrom, Consumer<String> store) {
        this.resumeFrom = resumeFrom;
        this.store = store;
    }

    /** The keyed request being handled, or null when it carries no key (or is not one that calls a model). */
    public static @Nullable IdempotentRequest of(HttpServletRequest request) {
        return request.getAttribute(ATTRIBUTE) instanceof IdempotentRequest keyed ? keyed : null;
    }

    /** Where an earlier attempt of this request stopped, as it marked it; null when it is the first. */
    public @Nullable String checkpoint() {
        return resumeFrom;
    }

    /**
     * Marks how far this attempt got. Call it inside the transaction that wrote what it names: both
     * commit or neither does.
     */
    public void checkpoint(String value) {
        store.accept(value);
    }
}
