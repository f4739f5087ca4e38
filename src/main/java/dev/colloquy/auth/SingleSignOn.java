package dev.colloquy.auth;

import dev.colloquy.user.AccountStatus;
import dev.colloquy.user.ExternalAccounts;
import dev.colloquy.user.ExternalIdentity;
import dev.colloquy.user.Role;
import dev.colloquy.user.SignupRefused;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.client.authentication.OAuth2AuthenticationToken;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.oidc.user.OidcUser;
import org.springframework.security.web.authentication.AuthenticationFailureHandler;
import org.springframework.security.web.authentication.AuthenticationSuccessHandler;
import org.springframework.stereotype.Component;

/**
 * The end of a single sign-on: the provider's person becomes a Colloquy account (linked, created or
 * refused by {@link ExternalAccounts}), gets a session token like a password sign-in, and the browser
 * goes back to the web UI with it in the URL fragment ({@code /#sso=<token>}: a fragment never reaches
 * a server or its logs, and the page removes it at once). A refusal goes back as {@code
 * /#sso-error=<code>}, never as a page of its own.
 */
@Component
class SingleSignOn implements AuthenticationSuccessHandler, AuthenticationFailureHandler {

    private static final Logger log = LoggerFactory.getLogger(SingleSignOn.class);

    private final ExternalAccounts accounts;
    private final SigningIn signingIn;
    private final SsoProperties properties;

    SingleSignOn(ExternalAccounts accounts, SigningIn signingIn, SsoProperties properties) {
        this.accounts = accounts;
        this.signingIn = signingIn;
        this.properties = properties;
    }

    @Override
    public void onAuthenticationSuccess(
            HttpServletRequest request, HttpServletResponse response, Authentication authentication)
            throws IOException {
        if (!(authentication instanceof OAuth2AuthenticationToken token)
                || !(token.getPrincipal() instanceof OidcUser person)) {
            fail(response, "not-openid-connect", "the provider answered without an ID token");
            return;
        }
        var provider = token.getAuthorizedClientRegistrationId();
        var settings = properties.of(provider);
        var identity = new ExternalIdentity(
                provider,
                person.getSubject(),
                person.getEmail(),
                Boolean.TRUE.equals(person.getEmailVerified()) || settings.trustEmail() && person.getEmail() != null,
                displayName(person),
                role(person.getClaim(settings.rolesClaim()), settings.adminValues()));
        try {
            var user = accounts.signIn(identity, request.getRemoteAddr());
            if (user.status() == AccountStatus.DISABLED) {
                fail(response, "account-disabled", "an admin disabled this account");
                return;
            }
            var issued = signingIn.issue(user);
            response.setHeader("Cache-Control", "no-store");
            response.sendRedirect("/#sso=" + issued.token());
        } catch (SignupRefused refused) {
            fail(response, refused.code(), refused.getMessage());
        }
    }

    @Override
    public void onAuthenticationFailure(
            HttpServletRequest request, HttpServletResponse response, AuthenticationException exception)
            throws IOException {
        var code = exception instanceof OAuth2AuthenticationException oauth
                ? switch (oauth.getError().getErrorCode()) {
                    case "authorization_request_not_found" -> "invalid-state";
                    case "invalid_id_token", "invalid_nonce" -> "invalid-id-token";
                    case "access_denied" -> "access-denied";
                    default -> "provider-error";
                }
                : "provider-error";
        fail(response, code, exception.getMessage());
    }

    private static void fail(HttpServletResponse response, String code, @Nullable String why) throws IOException {
        log.info("Single sign-on refused ({}): {}", code, why);
        response.setHeader("Cache-Control", "no-store");
        response.sendRedirect("/#sso-error=" + URLEncoder.encode(code, StandardCharsets.UTF_8));
    }

    private static String displayName(OidcUser person) {
        for (var name : new String[] {person.getFullName(), person.getPreferredUsername(), person.getEmail()}) {
            if (name != null && !name.isBlank()) {
                return name.replaceAll("\\p{Cntrl}", "").strip();
            }
        }
        return person.getSubject();
    }

    /** ADMIN when the claim holds one of the admin values, else USER; null when none are configured. */
    static @Nullable Role role(@Nullable Object claim, List<String> adminValues) {
        if (adminValues.isEmpty()) {
            return null;
        }
        var values = claim instanceof Collection<?> many
                ? many.stream().map(String::valueOf).toList()
                : claim == null
                        ? List.<String>of()
                        : List.of(String.valueOf(claim).split("[ ,]+"));
        return values.stream().anyMatch(adminValues::contains) ? Role.ADMIN : Role.USER;
    }
}
