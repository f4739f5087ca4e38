package dev.colloquy.llm;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/** An upstream call that produced no answer; says whether another try may succeed. */
final class UpstreamFailure extends Exception {

    enum Kind {
        RATE_LIMITED(true),
        SERVER_ERROR(true),
        TIMEOUT(true),
        CONNECTION(true),
        BROKEN_STREAM(true),
        REJECTED(false),
        UNAUTHORIZED(false);

        final boolean retriable;

        Kind(boolean retriable) {
            this.retriable = retriable;
        }

        String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final Kind kind;
    private final @Nullable Duration retryAfter;

    UpstreamFailure(Kind kind, String message, @Nullable Duration retryAfter) {
        super(message, null, false, false);
        this.kind = kind;
        this.retryAfter = retryAfter;
    }

    Kind kind() {
        return kind;
    }

    @Nullable
    Duration retryAfter() {
        return retryAfter;
    }
}
