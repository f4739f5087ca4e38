package dev.colloquy.user;

import dev.colloquy.cache.ResponseCaching;
import dev.colloquy.platform.Uuid7;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Accounts of people who sign in through an identity provider (single sign-on). The provider's
 * subject is linked to one account: on the first sign-in to the account with the same email, when the
 * provider vouches for the address, or to a new account the sign-up policy admits (an invite-only or
 * closed installation admits none this way; one the provider's claims make an admin is admitted at
 * once). Such an account has no password of its own. When the
 * provider decides roles, the account's role follows its claims at every sign-in, except that the
 * installation's last active admin stays admin.
 */
@Service
public class ExternalAccounts {

    /** Stored as the password hash of an account that has none: no password ever matches it. */
    static final String NO_PASSWORD = "!";

    private static final Logger log = LoggerFactory.getLogger(ExternalAccounts.class);

    private final Users users;
    private final UserAccounts accounts;
    private final SignupProperties signup;
    private final AuditLog audit;
    private final ApiKeyManagement apiKeys;
    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;
    private final ResponseCaching caching;

    ExternalAccounts(
            Users users,
            UserAccounts accounts,
            SignupProperties signup,
            AuditLog audit,
            ApiKeyManagement apiKeys,
            JdbcClient jdbc,
            TransactionTemplate transactions,
            ResponseCaching caching) {
        this.caching = caching;
        this.users = users;
        this.accounts = accounts;
        this.signup = signup;
        this.audit = audit;
        this.apiKeys = apiKeys;
        this.jdbc = jdbc;
        this.transactions = transactions;
    }

    /**
     * The account this identity signs in to, linked or created now if need be.
     *
     * @throws SignupRefused when the address is not vouched for, or the policy admits no new account
     */
    public User signIn(ExternalIdentity identity, String from) {
        var user = transactions.execute(status -> {
            var linked = linkedAccount(identity);
            if (linked.isPresent()) {
                return linked.get();
            }
            if (identity.email() == null || !identity.emailVerified()) {
                throw new SignupRefused(
                        "email-unverified",
                        "The identity provider did not confirm this email address, so no account is linked to it");
            }
            var email = UserAccounts.normalise(identity.email());
            users.lockForSignup();
            var existing = users.findCredentials(email).map(Users.Credentials::user);
            var account = existing.orElseGet(() -> create(identity, email));
            link(identity, account.id());
            audit.append(
                    account.id(),
                    existing.isPresent() ? "account.sso_linked" : "account.sso_created",
                    account.id(),
                    Map.of("provider", identity.provider(), "email", email),
                    from);
            return account;
        });
        return followRole(user, identity, from);
    }

    private Optional<User> linkedAccount(ExternalIdentity identity) {
        return jdbc.sql("select user_id from user_identities where provider = :provider and subject = :subject")
                .param("provider", identity.provider())
                .param("subject", identity.subject())
                .query(UUID.class)
                .optional()
                .flatMap(users::find);
    }

    private User create(ExternalIdentity identity, String email) {
        // an installation's admins, and those the provider's claims make admins, need no approval
        boolean admin = accounts.becomesAdmin(email) || identity.role() == Role.ADMIN;
        var status = admin ? AccountStatus.ACTIVE : signup.signup().admit(signup.allows(email), false);
        var name = identity.displayName().isBlank()
                ? email
                : identity.displayName().strip();
        var created = new User(
                Uuid7.next(),
                email,
                name.length() > 100 ? name.substring(0, 100) : name,
                admin ? Role.ADMIN : Role.USER,
                Instant.now().truncatedTo(ChronoUnit.MICROS),
                status);
        if (!users.insert(created, NO_PASSWORD)) {
            throw new EmailTaken();
        }
        log.atInfo()
                .addKeyValue("user.id", created.id())
                .log("Created an account at its first sign-in through {}, status {}", identity.provider(), status);
        return created;
    }

    private void link(ExternalIdentity identity, UUID userId) {
        jdbc.sql("""
                        insert into user_identities (provider, subject, user_id) values (:provider, :subject, :userId)
                        on conflict do nothing
                        """)
                .param("provider", identity.provider())
                .param("subject", identity.subject())
                .param("userId", userId)
                .update();
    }

    /** The role the provider's claims give, unless that would leave the installation without an admin. */
    private User followRole(User user, ExternalIdentity identity, String from) {
        if (identity.role() == null || identity.role() == user.role()) {
            return user;
        }
        var changed = transactions.execute(status -> {
            if (user.role() == Role.ADMIN && user.status() == AccountStatus.ACTIVE && users.activeAdminsLocked() <= 1) {
                log.warn("The identity provider no longer makes the last active admin an admin; kept as admin");
                return false;
            }
            users.changeRole(user.id(), identity.role());
            var detail = new LinkedHashMap<String, Object>();
            detail.put("email", user.email());
            detail.put("from", user.role().name());
            detail.put("to", identity.role().name());
            detail.put("by", "identity provider " + identity.provider());
            audit.append(null, "account.role_changed", user.id(), detail, from);
            return true;
        });
        if (!Boolean.TRUE.equals(changed)) {
            return user;
        }
        accounts.evict(user.id());
        apiKeys.forgetAllOf(user.id());
        caching.invalidateFor(user.id().toString(), "me");
        return users.find(user.id()).orElse(user);
    }
}
