package dev.colloquy.auth;

import dev.colloquy.cache.CacheNamespace;
import dev.colloquy.cache.TwoTierCache;
import dev.colloquy.cache.TypedCache;
import dev.colloquy.platform.Uuid7;
import dev.colloquy.user.AccessScope;
import dev.colloquy.user.AccountAdministration;
import dev.colloquy.user.AccountStatus;
import dev.colloquy.user.ApiKeyManagement;
import dev.colloquy.user.CurrentUser;
import dev.colloquy.user.SecretTokens;
import dev.colloquy.user.User;
import dev.colloquy.user.UserAccounts;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;

/** Signing in and out with session tokens, and telling who a bearer token belongs to. */
@Service
public class SigningIn {

    /** A new session's bearer token; only its hash is stored. */
    public record IssuedToken(String token, Instant expiresAt) {}

    /** A live session as cached in the {@code session} namespace, keyed by its token's hash. */
    record CachedSession(UUID id, UUID userId, Instant expiresAt) {}

    private final UserAccounts accounts;
    private final ApiKeyManagement apiKeys;
    private final Sessions sessions;
    private final AuthProperties properties;
    private final TypedCache<CachedSession> sessionCache;

    SigningIn(
            UserAccounts accounts,
            ApiKeyManagement apiKeys,
            Sessions sessions,
            AuthProperties properties,
            TwoTierCache cache) {
        this.accounts = accounts;
        this.apiKeys = apiKeys;
        this.sessions = sessions;
        this.properties = properties;
        this.sessionCache = cache.typed(CacheNamespace.SESSION, CachedSession.class);
    }

    public IssuedToken issue(User user) {
        var token = SecretTokens.generate(SecretTokens.SESSION_PREFIX);
        var expiresAt = Instant.now().plus(properties.sessionTtl()).truncatedTo(ChronoUnit.MICROS);
        sessions.insert(new Sessions.Session(Uuid7.next(), user.id(), expiresAt), SecretTokens.hash(token));
        return new IssuedToken(token, expiresAt);
    }

    /**
     * A session for the account with this password; one that waits for approval signs in (and sees
     * that it waits), a disabled one does not.
     */
    public IssuedToken login(String email, String password) {
        var user = accounts.authenticate(email, password).orElseThrow(InvalidCredentials::new);
        if (user.status() == AccountStatus.DISABLED) {
            throw new AccountDisabledProblem();
        }
        return issue(user);
    }

    /** An admin shut the account out: its sessions end on every replica. */
    @org.springframework.context.event.EventListener
    void accountDisabled(AccountAdministration.AccountDisabled disabled) {
        endAllSessions(disabled.userId());
    }

    /** Ends every session of the account, on every replica. */
    void endAllSessions(UUID userId) {
        sessions.revokeAll(userId)
                .forEach(hash -> sessionCache.evict(HexFormat.of().formatHex(hash)));
    }

    /**
     * Replaces the caller's password once the current one is confirmed, and ends the account's other
     * sessions on every replica (the one that asked stays signed in).
     */
    public void changePassword(CurrentUser caller, String current, String replacement, String from) {
        accounts.changePassword(caller.id(), current, replacement, from);
        sessions.revokeAllBut(caller.id(), caller.sessionId())
                .forEach(hash -> sessionCache.evict(HexFormat.of().formatHex(hash)));
    }

    /** Ends the session of this token on every replica: revoked in PostgreSQL, then evicted from the cache. */
    public void logout(String token) {
        var hash = SecretTokens.hash(token);
        sessions.revoke(hash);
        sessionCache.evict(HexFormat.of().formatHex(hash));
    }

    /**
     * The caller a bearer token stands for: a live session token or an unrevoked API key. Sessions
     * come from the two-tier cache (a logout evicts them on every replica; the expiry is checked on
     * each use), so a request costs no database round trip to authenticate.
     */
    public Optional<CurrentUser> resolve(String token) {
        if (token.startsWith(SecretTokens.API_KEY_PREFIX)) {
            return apiKeys.resolve(token);
        }
        if (token.startsWith(SecretTokens.SESSION_PREFIX)) {
            var hash = SecretTokens.hash(token);
            var session = sessionCache.getOrLoad(
                    HexFormat.of().formatHex(hash),
                    () -> sessions.findLive(hash)
                            .map(live -> new CachedSession(live.id(), live.userId(), live.expiresAt()))
                            .orElse(null));
            if (session == null || !session.expiresAt().isAfter(Instant.now())) {
                return Optional.empty();
            }
            return accounts.find(session.userId())
                    .filter(user -> user.status() != AccountStatus.DISABLED)
                    .map(user ->
                            new CurrentUser(user.id(), user.role(), AccessScope.FULL, session.id(), user.status()));
        }
        return Optional.empty();
    }

    @Scheduled(fixedDelayString = "PT1H", initialDelayString = "PT5M")
    void purgeExpiredSessions() {
        sessions.purgeExpired();
    }
}
