package dev.colloquy.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.springframework.boot.servlet.autoconfigure.MultipartProperties;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Caps request bodies: a declared length over the cap is refused before anything is read, and a
 * chunked body fails as soon as it passes it. Multipart uploads have their own, larger cap
 * ({@code spring.servlet.multipart.max-request-size}); here a declared length over it is refused at
 * once, rather than after the whole upload has been read.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
class RequestBodyLimitFilter extends OncePerRequestFilter {

    private final long limit;
    private final long multipartLimit;
    private final ProblemWriter problems;

    RequestBodyLimitFilter(WebProperties properties, MultipartProperties multipart, ProblemWriter problems) {
        this.limit = properties.maxBodySize().toBytes();
        this.multipartLimit = multipart.getMaxRequestSize().toBytes();
        this.problems = problems;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        var contentType = request.getContentType();
        if (contentType != null && contentType.toLowerCase().startsWith(MediaType.MULTIPART_FORM_DATA_VALUE)) {
            if (multipartLimit > 0 && request.getContentLengthLong() > multipartLimit) {
                problems.write(response, tooLarge(multipartLimit));
                return;
            }
            chain.doFilter(request, response);
            return;
        }
        if (request.getContentLengthLong() > limit) {
            problems.write(response, tooLarge(limit));
            return;
        }
        chain.doFilter(new LimitedRequest(request, limit), response);
    }

    static ProblemDetail tooLarge(long limit) {
        var problem = ProblemDetail.forStatusAndDetail(
                HttpStatus.CONTENT_TOO_LARGE, "The request body is larger than " + limit + " bytes");
        problem.setType(ProblemTypes.of("body-too-large"));
        problem.setTitle("Request body too large");
        return problem;
    }

    private static final class LimitedRequest extends HttpServletRequestWrapper {

        private final long limit;
        private @org.jspecify.annotations.Nullable ServletInputStream stream;

        LimitedRequest(HttpServletRequest request, long limit) {
            super(request);
            this.limit = limit;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            if (stream == null) {
                stream = new LimitedStream(super.getInputStream(), limit);
            }
            return stream;
        }

        @Override
        public BufferedReader getReader() throws IOException {
            var encoding = getCharacterEncoding();
            var charset = encoding == null ? StandardCharsets.UTF_8 : java.nio.charset.Charset.forName(encoding);
            return new BufferedReader(new InputStreamReader(getInputStream(), charset));
        }
    }

    private static final class LimitedStream extends ServletInputStream {

        private final ServletInputStream delegate;
        private final long limit;
        private long read;

        LimitedStream(ServletInputStream delegate, long limit) {
            this.delegate = delegate;
            this.limit = limit;
        }

        @Override
        public int read() throws IOException {
            int b = delegate.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = delegate.read(buffer, offset, length);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        private void count(int n) throws BodyTooLarge {
            read += n;
            if (read > limit) {
                throw new BodyTooLarge(limit);
            }
        }

        @Override
        public boolean isFinished() {
            return delegate.isFinished();
        }

        @Override
        public boolean isReady() {
            return delegate.isReady();
        }

        @Override
        public void setReadListener(ReadListener listener) {
            delegate.setReadListener(listener);
        }
    }
}
