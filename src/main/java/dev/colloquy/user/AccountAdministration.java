package dev.colloquy.user;

import dev.colloquy.cache.ResponseCaching;
import dev.colloquy.platform.Cursors;
import dev.colloquy.platform.KeysetPosition;
import dev.colloquy.platform.Page;
import dev.colloquy.platform.Uuid7;
import dev.colloquy.web.NotFound;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * What admins do with accounts: list them, approve those waiting, disable and enable, hand out
 * invites. Every action is written to the audit log in the same transaction.
 */
@Service
public class AccountAdministration {

    /** An invite as handed out: its code is shown this once. */
    public record IssuedInvite(
            UUID id, String code, @Nullable String email, Instant expiresAt) {}

    /** An account was shut out: its sessions end on every replica (auth listens). */
    public record AccountDisabled(UUID userId) {}

    private static final String INVITE_PREFIX = "cqi_";

    private final Users users;
    private final UserAccounts accounts;
    private final ApiKeyManagement apiKeys;
    private final Invites invites;
    private final AuditLog audit;
    private final Cursors cursors;
    private final SignupProperties signup;
    private final ApplicationEventPublisher events;
    private final ResponseCaching caching;

    AccountAdministration(
            Users users,
            UserAccounts accounts,
            ApiKeyManagement apiKeys,
            Invites invites,
            AuditLog audit,
            Cursors cursors,
            SignupProperties signup,
            ApplicationEventPublisher events,
            ResponseCaching caching) {
        this.users = users;
        this.accounts = accounts;
        this.apiKeys = apiKeys;
        this.invites = invites;
        this.audit = audit;
        this.cursors = cursors;
        this.signup = signup;
        this.events = events;
        this.caching = caching;
    }

    public Page<User> list(@Nullable AccountStatus status, @Nullable String text, @Nullable String cursor, int limit) {
        var scope = "admin-users:" + status + ":" + (text == null ? "" : text);
        var rows = users.page(
                status, text == null || text.isBlank() ? null : text.strip(), cursors.after(scope, cursor), limit + 1);
        return cursors.page(rows, limit, scope, user -> new KeysetPosition(user.createdAt(), user.id()));
    }

    public Page<AuditLog.Entry> audit(@Nullable String cursor, int limit) {
        var rows = audit.page(cursors.after("audit", cursor), limit + 1);
        return cursors.page(rows, limit, "audit", entry -> new KeysetPosition(entry.at(), entry.id()));
    }

    @Transactional
    public User approve(CurrentUser admin, UUID id, @Nullable String reason, @Nullable String from) {
        return change(
                admin, id, List.of(AccountStatus.PENDING), AccountStatus.ACTIVE, "account.approved", reason, from);
    }

    @Transactional
    public User enable(CurrentUser admin, UUID id, @Nullable String reason, @Nullable String from) {
        return change(
                admin, id, List.of(AccountStatus.DISABLED), AccountStatus.ACTIVE, "account.enabled", reason, from);
    }

    /** Shuts the account out: its API keys stop resolving and its sessions end, on every replica. */
    @Transactional
    public User disable(CurrentUser admin, UUID id, @Nullable String reason, @Nullable String from) {
        if (admin.id().equals(id)) {
            throw new AdminActionRefused("An admin cannot disable their own account");
        }
        var user = change(
                admin,
                id,
                List.of(AccountStatus.ACTIVE, AccountStatus.PENDING),
                AccountStatus.DISABLED,
                "account.disabled",
                reason,
                from);
        events.publishEvent(new AccountDisabled(id));
        return user;
    }

    /**
     * Sets what the account may spend per month and which models it may call; null for either puts
     * it back on the installation's default (no model list: every model).
     */
    @Transactional
    public User entitle(
            CurrentUser admin,
            UUID id,
            @Nullable BigDecimal monthlyBudgetUsd,
            @Nullable List<String> models,
            @Nullable String from) {
        var before = users.find(id).orElseThrow(() -> new NotFound("Account"));
        users.changeEntitlements(id, monthlyBudgetUsd, models);
        var detail = new LinkedHashMap<String, Object>();
        detail.put("email", before.email());
        detail.put("monthlyBudgetUsd", String.valueOf(monthlyBudgetUsd));
        detail.put("models", models == null ? "every model" : models);
        detail.put("wasMonthlyBudgetUsd", String.valueOf(before.monthlyBudgetUsd()));
        detail.put("wasModels", before.models() == null ? "every model" : before.models());
        audit.append(admin.id(), "account.entitlements_changed", id, detail, from);
        forget(id);
        return users.find(id).orElseThrow(() -> new NotFound("Account"));
    }

    /**
     * Makes the account an admin or a user. The last active admin cannot be made a user, so the
     * installation always has one.
     */
    @Transactional
    public User changeRole(CurrentUser admin, UUID id, Role role, @Nullable String reason, @Nullable String from) {
        var before = users.find(id).orElseThrow(() -> new NotFound("Account"));
        if (before.role() == role) {
            return before;
        }
        if (before.role() == Role.ADMIN && before.status() == AccountStatus.ACTIVE && users.activeAdminsLocked() <= 1) {
            throw new AdminActionRefused(
                    "This is the installation's last active admin; make another account admin first");
        }
        users.changeRole(id, role);
        var detail = new LinkedHashMap<String, Object>();
        detail.put("email", before.email());
        detail.put("from", before.role().name());
        detail.put("to", role.name());
        if (reason != null) {
            detail.put("reason", reason);
        }
        audit.append(admin.id(), "account.role_changed", id, detail, from);
        forget(id);
        return users.find(id).orElseThrow(() -> new NotFound("Account"));
    }

    /** Drops what every replica cached of the account: itself, its resolved API keys, its view of itself. */
    private void forget(UUID id) {
        accounts.evict(id);
        apiKeys.forgetAllOf(id);
        caching.invalidateFor(id.toString(), "me");
    }

    @Transactional
    public IssuedInvite invite(CurrentUser admin, @Nullable String email, @Nullable String from) {
        var code = SecretTokens.generate(INVITE_PREFIX);
        var id = Uuid7.next();
        var normalised = email == null || email.isBlank() ? null : UserAccounts.normalise(email);
        var expiresAt = Instant.now().plus(signup.inviteTtl()).truncatedTo(ChronoUnit.MICROS);
        invites.insert(id, SecretTokens.hash(code), normalised, admin.id(), expiresAt);
        audit.append(
                admin.id(),
                "invite.created",
                null,
                normalised == null ? Map.of("invite", id) : Map.of("invite", id, "email", normalised),
                from);
        return new IssuedInvite(id, code, normalised, expiresAt);
    }

    private User change(
            CurrentUser admin,
            UUID id,
            List<AccountStatus> from,
            AccountStatus to,
            String action,
            @Nullable String reason,
            @Nullable String address) {
        var before = users.find(id).orElseThrow(() -> new NotFound("Account"));
        if (!users.changeStatus(id, from, to)) {
            throw new AdminActionRefused(
                    "The account is " + before.status().name().toLowerCase(java.util.Locale.ROOT)
                            + "; this action needs it "
                            + from.stream()
                                    .map(status -> status.name().toLowerCase(java.util.Locale.ROOT))
                                    .toList());
        }
        var detail = new LinkedHashMap<String, Object>();
        detail.put("email", before.email());
        detail.put("from", before.status().name());
        if (reason != null) {
            detail.put("reason", reason);
        }
        audit.append(admin.id(), action, id, detail, address);
        forget(id);
        return users.find(id).orElseThrow(() -> new NotFound("Account"));
    }
}
