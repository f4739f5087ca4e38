package dev.colloquy.auth;

import dev.colloquy.cache.CacheResponse;
import dev.colloquy.user.CurrentUser;
import dev.colloquy.user.User;
import dev.colloquy.user.UserAccounts;
import dev.colloquy.web.ApiProblem;
import dev.colloquy.web.NotFound;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.net.URI;
import java.time.Instant;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
class AuthController {

    record Register(
            @NotBlank @Email @Size(max = 254) String email,
            @NotBlank @Size(min = 10, max = 256) String password,

            @NotBlank
            @Size(max = 100)
            @Pattern(regexp = "[^\\x00-\\x1f\\x7f]*+", message = "must not contain control characters")
            String displayName,

            @Nullable @Size(max = 100) String invite) {}

    record Login(
            @NotBlank @Size(max = 254) String email,
            @NotBlank @Size(max = 256) String password) {}

    record PasswordChange(
            @NotBlank @Size(max = 256) String currentPassword,
            @NotBlank @Size(min = 10, max = 256) String newPassword) {}

    record Registered(User user, String token, Instant expiresAt) {}

    record LoggedIn(String token, Instant expiresAt) {}

    private final UserAccounts accounts;
    private final SigningIn signingIn;
    private final LoginThrottle throttle;

    private final SignOnProviders providers;

    AuthController(UserAccounts accounts, SigningIn signingIn, LoginThrottle throttle, SignOnProviders providers) {
        this.providers = providers;
        this.accounts = accounts;
        this.signingIn = signingIn;
        this.throttle = throttle;
    }

    /** A single sign-on provider as the sign-in page offers it. */
    record Provider(String id, String name, String url) {}

    record Providers(java.util.List<Provider> items) {}

    /** The single sign-on providers configured, for the sign-in page (public). */
    @GetMapping("/api/auth/providers")
    Providers providers() {
        var items = new java.util.ArrayList<Provider>();
        for (var registration : providers) {
            items.add(new Provider(
                    registration.getRegistrationId(),
                    registration.getClientName(),
                    "/oauth2/authorization/" + registration.getRegistrationId()));
        }
        return new Providers(items);
    }

    @PostMapping("/api/auth/register")
    ResponseEntity<Registered> register(@Valid @RequestBody Register request) {
        var user = accounts.register(request.email(), request.password(), request.displayName(), request.invite());
        var token = signingIn.issue(user);
        return ResponseEntity.created(URI.create("/api/me"))
                .body(new Registered(user, token.token(), token.expiresAt()));
    }

    @PostMapping("/api/auth/login")
    LoggedIn login(@Valid @RequestBody Login request, HttpServletRequest http) {
        var address = http.getRemoteAddr();
        throttle.check(request.email(), address);
        SigningIn.IssuedToken token;
        try {
            token = signingIn.login(request.email(), request.password());
        } catch (InvalidCredentials wrong) {
            throttle.failed(request.email(), address);
            throw wrong;
        }
        throttle.succeeded(request.email());
        return new LoggedIn(token.token(), token.expiresAt());
    }

    @PostMapping("/api/auth/logout")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void logout(
            @AuthenticationPrincipal CurrentUser caller,
            @RequestHeader(HttpHeaders.AUTHORIZATION) String authorization) {
        if (caller.sessionId() == null) {
            throw new NotASession();
        }
        signingIn.logout(authorization.substring("Bearer ".length()).strip());
    }

    /** Changes the caller's password; the account's other sessions end, on every replica. */
    @PostMapping("/api/me/password")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void changePassword(
            @AuthenticationPrincipal CurrentUser caller,
            @Valid @RequestBody PasswordChange change,
            HttpServletRequest http) {
        var address = http.getRemoteAddr();
        var email = accounts.find(caller.id())
                .orElseThrow(() -> new NotFound("Account"))
                .email();
        throttle.check(email, address);
        try {
            signingIn.changePassword(caller, change.currentPassword(), change.newPassword(), address);
        } catch (dev.colloquy.user.WrongPassword wrong) {
            throttle.failed(email, address);
            throw wrong;
        }
    }

    @GetMapping("/api/me")
    @CacheResponse(group = "me", ttl = "60s")
    User me(@AuthenticationPrincipal CurrentUser caller) {
        return accounts.find(caller.id()).orElseThrow(() -> new NotFound("Account"));
    }

    static final class NotASession extends ApiProblem {
        NotASession() {
            super(
                    HttpStatus.BAD_REQUEST,
                    "not-a-session",
                    "Not a session",
                    "Logout ends a session token; revoke an API key with DELETE /api/api-keys/{id}");
        }
    }
}
