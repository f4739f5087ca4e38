package dev.colloquy.llm.provider;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/** An upstream call that produced no answer; says whether another try may succeed. */
public final class UpstreamFailure extends Exception {

    public enum Kind {
        RATE_LIMITED(true),
        SERVER_ERROR(true),
        TIMEOUT(true),
        CONNECTION(true),
        BROKEN_STREAM(true),
        REJECTED(false),
        UNAUTHORIZED(false);

        public final boolean retriable;

        Kind(boolean retriable) {
            this.retriable = retriable;
        }

        public String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final Kind kind;
    private final @Nullable Duration retryAfter;

    public UpstreamFailure(Kind kind, String message, @Nullable Duration retryAfter) {
        super(message, null, false, false);
        this.kind = kind;
        this.retryAfter = retryAfter;
    }

    public Kind kind() {
        return kind;
    }

    @Nullable
    public Duration retryAfter() {
        return retryAfter;
    }
}
