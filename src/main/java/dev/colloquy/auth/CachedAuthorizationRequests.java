package dev.colloquy.auth;

import dev.colloquy.cache.CacheNamespace;
import dev.colloquy.cache.TwoTierCache;
import dev.colloquy.cache.TypedCache;
import dev.colloquy.user.SecretTokens;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.security.oauth2.client.web.AuthorizationRequestRepository;
import org.springframework.security.oauth2.core.endpoint.OAuth2AuthorizationRequest;

/**
 * Single sign-on without server sessions: a started sign-in is kept in the shared cache under its
 * {@code state} for ten minutes (so the provider may send the browser back to any replica), and bound
 * to the browser that started it by a random value in an HttpOnly, SameSite=Lax cookie, of which the
 * cache keeps only the hash. A callback whose state is unknown, used or expired, or that comes from
 * another browser (a login-CSRF attempt), finds nothing and fails.
 */
final class CachedAuthorizationRequests implements AuthorizationRequestRepository<OAuth2AuthorizationRequest> {

    static final String COOKIE = "colloquy_sso";
    static final String CALLBACK_PATH = "/login/oauth2/code";
    private static final Duration TTL = Duration.ofMinutes(10);

    /** A started sign-in as cached: the request's fields and the hash of the browser's binding. */
    record Pending(
            String authorizationUri,
            String clientId,
            String redirectUri,
            Set<String> scopes,
            String state,
            Map<String, String> additionalParameters,
            Map<String, String> attributes,
            String authorizationRequestUri,
            String binding) {}

    private final TypedCache<Pending> pending;

    CachedAuthorizationRequests(TwoTierCache cache) {
        this.pending = cache.typed(CacheNamespace.SESSION, Pending.class);
    }

    @Override
    public @Nullable OAuth2AuthorizationRequest loadAuthorizationRequest(HttpServletRequest request) {
        var found = find(request);
        return found == null ? null : rebuild(found);
    }

    @Override
    public void saveAuthorizationRequest(
            @Nullable OAuth2AuthorizationRequest authorizationRequest,
            HttpServletRequest request,
            HttpServletResponse response) {
        if (authorizationRequest == null) {
            removeAuthorizationRequest(request, response);
            return;
        }
        var binding = SecretTokens.generate("");
        pending.put(
                key(authorizationRequest.getState()),
                new Pending(
                        authorizationRequest.getAuthorizationUri(),
                        authorizationRequest.getClientId(),
                        authorizationRequest.getRedirectUri(),
                        authorizationRequest.getScopes(),
                        authorizationRequest.getState(),
                        strings(authorizationRequest.getAdditionalParameters()),
                        strings(authorizationRequest.getAttributes()),
                        authorizationRequest.getAuthorizationRequestUri(),
                        hash(binding)),
                TTL);
        response.addCookie(cookie(binding, (int) TTL.toSeconds(), request.isSecure()));
    }

    @Override
    public @Nullable OAuth2AuthorizationRequest removeAuthorizationRequest(
            HttpServletRequest request, HttpServletResponse response) {
        var found = find(request);
        if (found == null) {
            return null;
        }
        // single use: a replayed callback finds nothing
        pending.evict(key(found.state()));
        response.addCookie(cookie("", 0, request.isSecure()));
        return rebuild(found);
    }

    private @Nullable Pending find(HttpServletRequest request) {
        var state = request.getParameter("state");
        if (state == null || state.isEmpty() || state.length() > 200) {
            return null;
        }
        var binding = binding(request);
        if (binding == null) {
            return null;
        }
        return pending.get(key(state))
                .filter(found -> MessageDigest.isEqual(
                        found.binding().getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                        hash(binding).getBytes(java.nio.charset.StandardCharsets.US_ASCII)))
                .orElse(null);
    }

    private static @Nullable String binding(HttpServletRequest request) {
        if (request.getCookies() == null) {
            return null;
        }
        for (var cookie : request.getCookies()) {
            if (cookie.getName().equals(COOKIE) && !cookie.getValue().isEmpty()) {
                return cookie.getValue();
            }
        }
        return null;
    }

    private static OAuth2AuthorizationRequest rebuild(Pending found) {
        return OAuth2AuthorizationRequest.authorizationCode()
                .authorizationUri(found.authorizationUri())
                .clientId(found.clientId())
                .redirectUri(found.redirectUri())
                .scopes(found.scopes())
                .state(found.state())
                .additionalParameters(Map.copyOf(found.additionalParameters()))
                .attributes(Map.copyOf(found.attributes()))
                .authorizationRequestUri(found.authorizationRequestUri())
                .build();
    }

    private static Map<String, String> strings(Map<String, Object> values) {
        var copy = new java.util.LinkedHashMap<String, String>();
        values.forEach((name, value) -> copy.put(name, String.valueOf(value)));
        return copy;
    }

    private static Cookie cookie(String value, int maxAge, boolean secure) {
        var cookie = new Cookie(COOKIE, value);
        cookie.setPath(CALLBACK_PATH);
        cookie.setMaxAge(maxAge);
        cookie.setHttpOnly(true);
        cookie.setSecure(secure);
        cookie.setAttribute("SameSite", "Lax");
        return cookie;
    }

    private static String key(String state) {
        return "sso:" + hash(state);
    }

    private static String hash(String value) {
        return HexFormat.of().formatHex(SecretTokens.hash(value));
    }
}
