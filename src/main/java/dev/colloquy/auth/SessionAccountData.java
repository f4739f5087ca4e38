package dev.colloquy.auth;

import dev.colloquy.user.AccountArchive;
import dev.colloquy.user.AccountData;
import java.util.UUID;
import org.springframework.stereotype.Component;

/**
 * An account's login sessions: nothing of them is exported (they are credentials); a deleted
 * account's sessions end on every replica, and their rows go with the account.
 */
@Component
class SessionAccountData implements AccountData {

    private final SigningIn signingIn;

    SessionAccountData(SigningIn signingIn) {
        this.signingIn = signingIn;
    }

    @Override
    public void export(UUID userId, AccountArchive archive) {}

    @Override
    public void erase(UUID userId) {
        signingIn.endAllSessions(userId);
    }
}
