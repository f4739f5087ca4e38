package dev.colloquy.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Request parameters come from the query string only: no route takes a form body, so none is ever
 * parsed as one. Left to the servlet container, a body sent as {@code application/x-www-form-urlencoded}
 * would be parsed the first time anything asked for a parameter, and a broken percent escape or bytes
 * that are not UTF-8 in it would fail there, deep in the chain, as a 500. The query string itself is
 * decoded here, strictly (percent escapes of UTF-8), and a broken one is a 400 before anything else
 * runs: a problem on {@code /api}, an OpenAI-shaped error on {@code /v1}. Multipart uploads keep the
 * container's parsing, which reads their parts.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 2)
class QueryParameters extends OncePerRequestFilter {

    private final ProblemWriter problems;

    QueryParameters(ProblemWriter problems) {
        this.problems = problems;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        var contentType = request.getContentType();
        if (contentType != null && contentType.regionMatches(true, 0, MediaType.MULTIPART_FORM_DATA_VALUE, 0, 19)) {
            chain.doFilter(request, response);
            return;
        }
        Map<String, String[]> parameters;
        try {
            parameters = parse(request.getQueryString());
        } catch (IllegalArgumentException malformed) {
            refuse(request, response, malformed.getMessage());
            return;
        }
        chain.doFilter(new QueryOnly(request, parameters), response);
    }

    private void refuse(HttpServletRequest request, HttpServletResponse response, String why) throws IOException {
        if (request.getRequestURI().startsWith("/v1/")) {
            response.setStatus(HttpStatus.BAD_REQUEST.value());
            response.setContentType(MediaType.APPLICATION_JSON_VALUE);
            response.setCharacterEncoding("UTF-8");
            response.getWriter()
                    .write("{\"error\":{\"message\":\"The query string cannot be decoded: " + why
                            + "\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":null}}");
            return;
        }
        var problem =
                ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, "The query string cannot be decoded: " + why);
        problem.setType(ProblemTypes.of("malformed-query"));
        problem.setTitle("Malformed query string");
        problems.write(response, problem);
    }

    /** The query string's parameters, in order; an empty map for none. */
    static Map<String, String[]> parse(@Nullable String query) {
        if (query == null || query.isEmpty()) {
            return Map.of();
        }
        var parameters = new LinkedHashMap<String, String[]>();
        for (var pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            var name = decode(equals < 0 ? pair : pair.substring(0, equals));
            var value = equals < 0 ? "" : decode(pair.substring(equals + 1));
            parameters.merge(name, new String[] {value}, (was, more) -> {
                var joined = java.util.Arrays.copyOf(was, was.length + 1);
                joined[was.length] = more[0];
                return joined;
            });
        }
        return Collections.unmodifiableMap(parameters);
    }

    /** Percent escapes of UTF-8 and {@code +} for a space; anything else is refused. */
    static String decode(String text) {
        if (text.indexOf('%') < 0 && text.indexOf('+') < 0) {
            return text;
        }
        var bytes = new ByteArrayOutputStream(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '+') {
                bytes.write(' ');
            } else if (c == '%') {
                if (i + 2 >= text.length()) {
                    throw new IllegalArgumentException("a '%' without two hex digits after it");
                }
                int high = Character.digit(text.charAt(i + 1), 16);
                int low = Character.digit(text.charAt(i + 2), 16);
                if (high < 0 || low < 0) {
                    throw new IllegalArgumentException("a '%' without two hex digits after it");
                }
                bytes.write(high << 4 | low);
                i += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < text.length()) {
                bytes.writeBytes(text.substring(i, i + 2).getBytes(StandardCharsets.UTF_8));
                i++;
            } else {
                bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("percent escapes that are not UTF-8");
        }
    }

    /** The request with the query string's parameters and never a form body's. */
    private static final class QueryOnly extends HttpServletRequestWrapper {

        private final Map<String, String[]> parameters;

        QueryOnly(HttpServletRequest request, Map<String, String[]> parameters) {
            super(request);
            this.parameters = parameters;
        }

        @Override
        public @Nullable String getParameter(String name) {
            var values = parameters.get(name);
            return values == null ? null : values[0];
        }

        @Override
        public Map<String, String[]> getParameterMap() {
            return parameters;
        }

        @Override
        public Enumeration<String> getParameterNames() {
            return Collections.enumeration(parameters.keySet());
        }

        @Override
        public String @Nullable [] getParameterValues(String name) {
            var values = parameters.get(name);
            return values == null ? null : values.clone();
        }
    }
}
