package dev.colloquy.user;

import dev.colloquy.platform.Uuid7;
import dev.colloquy.web.NotFound;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Service;

/** Creating, listing, revoking and resolving API keys. A key's secret is shown once, at creation. */
@Service
public class ApiKeyManagement {

    /** A new key and its secret, which is not kept anywhere and cannot be shown again. */
    public record CreatedApiKey(ApiKey key, String secret) {}

    private static final int VISIBLE_PREFIX = SecretTokens.API_KEY_PREFIX.length() + 6;

    private final ApiKeys keys;

    ApiKeyManagement(ApiKeys keys) {
        this.keys = keys;
    }

    public CreatedApiKey create(UUID userId, String name, AccessScope scope) {
        var secret = SecretTokens.generate(SecretTokens.API_KEY_PREFIX);
        var key = new ApiKey(
                Uuid7.next(),
                name.strip(),
                secret.substring(0, VISIBLE_PREFIX),
                scope,
                Instant.now().truncatedTo(ChronoUnit.MICROS));
        keys.insert(userId, key, SecretTokens.hash(secret));
        return new CreatedApiKey(key, secret);
    }

    public List<ApiKey> list(UUID userId) {
        return keys.list(userId);
    }

    public void revoke(UUID userId, UUID keyId) {
        if (!keys.revoke(userId, keyId)) {
            throw new NotFound("API key " + keyId);
        }
    }

    public Optional<CurrentUser> resolve(String secret) {
        return keys.resolve(SecretTokens.hash(secret));
    }
}
