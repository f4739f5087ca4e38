package dev.colloquy.user;

import dev.colloquy.cache.TwoTierCache;
import dev.colloquy.web.IdempotencyKeys;
import dev.colloquy.web.NotFound;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Deleting an account and everything it owns, in one transaction: every feature's rows ({@link
 * AccountData}), its API keys, sessions, stored idempotent responses, its id and email in the audit
 * log and invites; then, once committed, every cache entry whose key holds its id, in Redis and in
 * every replica's memory. The usage ledger keeps the amounts of its calls without the person.
 */
@Service
public class AccountDeletion {

    private static final Logger log = LoggerFactory.getLogger(AccountDeletion.class);

    private final Users users;
    private final UserAccounts accounts;
    private final ApiKeyManagement apiKeys;
    private final AuditLog audit;
    private final Invites invites;
    private final IdempotencyKeys idempotencyKeys;
    private final List<AccountData> features;
    private final TwoTierCache cache;
    private final TransactionTemplate transactions;

    AccountDeletion(
            Users users,
            UserAccounts accounts,
            ApiKeyManagement apiKeys,
            AuditLog audit,
            Invites invites,
            IdempotencyKeys idempotencyKeys,
            List<AccountData> features,
            TwoTierCache cache,
            TransactionTemplate transactions) {
        this.users = users;
        this.accounts = accounts;
        this.apiKeys = apiKeys;
        this.audit = audit;
        this.invites = invites;
        this.idempotencyKeys = idempotencyKeys;
        this.features = List.copyOf(features);
        this.cache = cache;
        this.transactions = transactions;
    }

    /**
     * Deletes the account.
     *
     * @param actor who deletes it: the account itself, or an admin
     * @throws NotFound when there is no such account
     * @throws AdminActionRefused when it is the installation's last active admin
     */
    public void delete(CurrentUser actor, UUID id, @Nullable String reason, @Nullable String from) {
        transactions.executeWithoutResult(status -> {
            var user = users.find(id).orElseThrow(() -> new NotFound("Account"));
            if (user.role() == Role.ADMIN && user.status() == AccountStatus.ACTIVE && users.activeAdminsLocked() <= 1) {
                throw new AdminActionRefused(
                        "This is the installation's last active admin; make another account admin first");
            }
            apiKeys.forgetAllOf(id);
            features.forEach(feature -> feature.erase(id));
            idempotencyKeys.forgetAllOf(id);
            audit.forget(id, user.email());
            invites.forget(user.email());
            users.delete(id);
            var self = actor.id().equals(id);
            var detail = new LinkedHashMap<String, Object>();
            detail.put("by", self ? "the account itself" : "an admin");
            if (reason != null) {
                detail.put("reason", reason);
            }
            audit.append(self ? null : actor.id(), "account.deleted", null, detail, from);
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    forgetCached(id);
                }
            });
        });
        log.atInfo().log("Deleted an account and everything it owned");
    }

    /** Every cache entry whose key holds the account's id, in Redis and on every replica. */
    private void forgetCached(UUID id) {
        try {
            accounts.evict(id);
            cache.invalidatePattern("*" + id + "*");
        } catch (RuntimeException e) {
            // the rows are gone; what stays cached expires with its TTL and no longer resolves
            log.warn("A deleted account's cache entries were not all dropped: {}", e.getMessage());
        }
    }
}
