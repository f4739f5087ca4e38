package dev.colloquy.user;

import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The authenticated caller of a request: the account, its role, the scope of the credential it
 * presented, the login session when it presented a session token (null for an API key), and the
 * key's own rate limits when it presented an API key (null for a session token), and whether the
 * account is in or waits for approval.
 */
public record CurrentUser(
        UUID id,
        Role role,
        AccessScope scope,
        @Nullable UUID sessionId,
        @Nullable ApiKeyLimits apiKey,
        @Nullable AccountStatus status) {

    /** A caller signed in with a session token. */
    public CurrentUser(UUID id, Role role, AccessScope scope, UUID sessionId, AccountStatus status) {
        this(id, role, scope, sessionId, null, status);
    }

    /** Whether the account is in; null (a credential cached before statuses existed) reads as active. */
    public boolean active() {
        return status == null || status == AccountStatus.ACTIVE;
    }

    public boolean pending() {
        return status == AccountStatus.PENDING;
    }

    public boolean isAdmin() {
        return role == Role.ADMIN;
    }
}
