package dev.colloquy.auth;

import dev.colloquy.web.ProblemWriter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.HttpHeaders;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Authenticates {@code Authorization: Bearer <session token or API key>} (on {@code /v1} also {@code
 * x-api-key: <API key>}, as the Anthropic SDK sends it). A token that is unknown,
 * expired or revoked leaves the request anonymous and marks it, so a protected endpoint answers 401
 * with {@code error="invalid_token"}.
 */
final class BearerTokenFilter extends OncePerRequestFilter {

    static final String INVALID_TOKEN = BearerTokenFilter.class.getName() + ".invalid";
    private static final String SCHEME = "bearer ";
    private static final int MAX_TOKEN = 512;

    private final SigningIn signingIn;
    private final ProblemWriter problems;

    /** Anthropic's header for the API key, taken on {@code /v1} as a bearer token. */
    static final String API_KEY = "x-api-key";

    BearerTokenFilter(SigningIn signingIn, ProblemWriter problems) {
        this.signingIn = signingIn;
        this.problems = problems;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        var header = request.getHeader(HttpHeaders.AUTHORIZATION);
        // the Anthropic SDK sends its key as x-api-key; /v1 takes it as a bearer token
        var apiKey = header == null && request.getRequestURI().startsWith("/v1/") ? request.getHeader(API_KEY) : null;
        if (header != null || apiKey != null) {
            var token = apiKey != null
                    ? apiKey.strip()
                    : header.regionMatches(true, 0, SCHEME, 0, SCHEME.length())
                            ? header.substring(SCHEME.length()).strip()
                            : "";
            java.util.Optional<dev.colloquy.user.CurrentUser> caller;
            try {
                caller = token.isEmpty() || token.length() > MAX_TOKEN
                        ? java.util.Optional.empty()
                        : signingIn.resolve(token);
            } catch (RuntimeException failure) {
                // the session or key was not in the cache and the database is gone: 503, not 500
                if (ProblemWriter.databaseUnreachable(failure) && problems.writeDatabaseUnavailable(response)) {
                    return;
                }
                throw failure;
            }
            if (caller.isPresent()) {
                var context = SecurityContextHolder.createEmptyContext();
                context.setAuthentication(new BearerAuthentication(caller.get()));
                SecurityContextHolder.setContext(context);
            } else {
                request.setAttribute(INVALID_TOKEN, Boolean.TRUE);
            }
        }
        chain.doFilter(request, response);
    }
}
