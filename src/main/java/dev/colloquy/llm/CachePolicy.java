package dev.colloquy.llm;

import java.time.Duration;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * How one call may use the response cache. A call is eligible when it is deterministic
 * ({@code temperature} 0) or opts in; the controls follow HTTP's {@code Cache-Control} on the request:
 * {@code max-age=N} opts in and keeps the answer N seconds, {@code no-cache} skips the lookup,
 * {@code no-store} keeps the answer out of the cache.
 */
public record CachePolicy(
        boolean optedIn,
        boolean read,
        boolean write,
        @Nullable Duration ttl) {

    public static final CachePolicy DEFAULT = new CachePolicy(false, true, true, null);
    private static final Duration LONGEST = Duration.ofDays(30);

    public static CachePolicy fromCacheControl(@Nullable String header) {
        if (header == null || header.isBlank()) {
            return DEFAULT;
        }
        boolean optedIn = false;
        boolean read = true;
        boolean write = true;
        Duration ttl = null;
        for (var directive : header.toLowerCase(Locale.ROOT).split(",")) {
            var part = directive.strip();
            if (part.equals("no-cache")) {
                read = false;
            } else if (part.equals("no-store")) {
                write = false;
            } else if (part.startsWith("max-age=")) {
                try {
                    long seconds = Long.parseLong(part.substring(8).strip());
                    if (seconds <= 0) {
                        read = false;
                    } else {
                        optedIn = true;
                        ttl = Duration.ofSeconds(Math.min(seconds, LONGEST.toSeconds()));
                    }
                } catch (NumberFormatException ignored) {
                    // an unreadable max-age opts in to nothing
                }
            }
        }
        return new CachePolicy(optedIn, read, write, ttl);
    }

    boolean eligible(@Nullable Double temperature) {
        return optedIn || (temperature != null && temperature == 0.0);
    }
}
