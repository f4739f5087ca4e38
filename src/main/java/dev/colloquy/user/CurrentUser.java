package dev.colloquy.user;

import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The authenticated caller of a request: the account, its role, the scope of the credential it
 * presented, the login session when it presented a session token (null for an API key), and the
 * key's own rate limits when it presented an API key (null for a session token).
 */
public record CurrentUser(
        UUID id,
        Role role,
        AccessScope scope,
        @Nullable UUID sessionId,
        @Nullable ApiKeyLimits apiKey) {

    /** A caller signed in with a session token. */
    public CurrentUser(UUID id, Role role, AccessScope scope, UUID sessionId) {
        this(id, role, scope, sessionId, null);
    }

    public boolean isAdmin() {
        return role == Role.ADMIN;
    }
}
