package dev.colloquy.user;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * An account as its owner sees it.
 *
 * @param monthlyBudgetUsd what the account may spend per month, set by an admin; null: the
 *     installation's default
 * @param models the models the account may call, set by an admin; null: every model
 */
public record User(
        UUID id,
        String email,
        String displayName,
        Role role,
        Instant createdAt,
        AccountStatus status,
        @Nullable BigDecimal monthlyBudgetUsd,
        @Nullable List<String> models) {

    public User(UUID id, String email, String displayName, Role role, Instant createdAt, AccountStatus status) {
        this(id, email, displayName, role, createdAt, status, null, null);
    }

    public User {
        models = models == null ? null : List.copyOf(models);
    }
}
