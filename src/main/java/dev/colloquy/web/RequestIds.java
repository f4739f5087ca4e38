package dev.colloquy.web;

import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;

/** The id of the request being served, as echoed in {@code X-Request-Id} and every log line. */
public final class RequestIds {

    public static final String HEADER = "X-Request-Id";
    public static final String MDC_KEY = "http.request.id";
    private static final Pattern ACCEPTABLE = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private RequestIds() {}

    public static Optional<String> current() {
        return Optional.ofNullable(MDC.get(MDC_KEY));
    }

    /** A client's id is kept only when it is short and harmless in a log line. */
    static boolean acceptable(@Nullable String candidate) {
        return candidate != null && ACCEPTABLE.matcher(candidate).matches();
    }
}
