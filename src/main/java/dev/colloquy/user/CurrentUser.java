package dev.colloquy.user;

import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The authenticated caller of a request: the account, its role, the scope of the credential it
 * presented, and the login session when it presented a session token (null for an API key).
 */
public record CurrentUser(
        UUID id, Role role, AccessScope scope, @Nullable UUID sessionId) {

    public boolean isAdmin() {
        return role == Role.ADMIN;
    }
}
