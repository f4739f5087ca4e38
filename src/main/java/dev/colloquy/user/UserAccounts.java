package dev.colloquy.user;

import dev.colloquy.cache.CacheNamespace;
import dev.colloquy.cache.TwoTierCache;
import dev.colloquy.cache.TypedCache;
import dev.colloquy.platform.Uuid7;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/** Registering accounts and checking their passwords. Passwords are hashed with Argon2id. */
@Service
public class UserAccounts {

    private static final Logger log = LoggerFactory.getLogger(UserAccounts.class);

    private final Users users;
    private final AccountProperties properties;
    private final TypedCache<User> userCache;
    /**
     * The hash an unknown email's password is checked against, so that it costs what a known one does:
     * of a random password nobody knows, made once with the encoder's parameters (hashing one at every
     * start took 0.4 s of it on 2 cores). UserAccountsTest fails when the encoder's parameters move
     * away from it.
     */
    static final String UNKNOWN_USER_HASH =
            "$argon2id$v=19$m=16384,t=2,p=1$BykfzGmtdyajGe9dzmI50Q$n9BHKGDib5RWE4J21KxOc8EqqHnOZq/HpJyFMwwKBqA";

    static final PasswordEncoder PASSWORDS = Argon2PasswordEncoder.defaultsForSpringSecurity_v5_8();

    private final SignupProperties signup;
    private final Invites invites;
    private final TransactionTemplate transactions;
    private final AuditLog audit;

    UserAccounts(
            Users users,
            AccountProperties properties,
            SignupProperties signup,
            Invites invites,
            TransactionTemplate transactions,
            TwoTierCache cache,
            AuditLog audit) {
        this.audit = audit;
        this.users = users;
        this.properties = properties;
        this.signup = signup;
        this.invites = invites;
        this.transactions = transactions;
        this.userCache = cache.typed(CacheNamespace.USER, User.class);
    }

    public User register(String email, String password, String displayName) {
        return register(email, password, displayName, null);
    }

    /**
     * Creates an account as the sign-up policy allows: those in {@code colloquy.admin-emails} (or, when
     * none is configured, the installation's first account) as active admins, an invite's holder as active, others as the
     * policy says (active, waiting for approval, or refused).
     *
     * @throws SignupRefused when the policy does not let this account in
     * @throws EmailTaken when an account has this email
     */
    public User register(String email, String password, String displayName, @Nullable String inviteCode) {
        var normalised = normalise(email);
        var hash = PASSWORDS.encode(password);
        var user = transactions.execute(status -> {
            users.lockForSignup();
            // with no admin emails configured, the installation's first account is its admin
            boolean admin = becomesAdmin(normalised);
            var id = Uuid7.next();
            var invited = !admin && inviteCode != null && !inviteCode.isBlank();
            var accountStatus =
                    admin ? AccountStatus.ACTIVE : signup.signup().admit(signup.allows(normalised), invited);
            var created = new User(
                    id,
                    normalised,
                    displayName.strip(),
                    admin ? Role.ADMIN : Role.USER,
                    Instant.now().truncatedTo(ChronoUnit.MICROS),
                    accountStatus);
            if (!users.insert(created, hash)) {
                throw new EmailTaken();
            }
            if (invited && !invites.consume(SecretTokens.hash(inviteCode.strip()), normalised, id)) {
                throw new SignupRefused(
                        "invite-invalid", "This invite is unknown, used, expired or meant for another email address");
            }
            return created;
        });
        log.atInfo()
                .addKeyValue("user.id", user.id())
                .log("Registered account with role {} and status {}", user.role(), user.status());
        return user;
    }

    /**
     * Whether a new account with this email is an admin: it is in {@code colloquy.admin-emails}, or
     * none are configured and it is the installation's first. Call under {@link Users#lockForSignup}.
     */
    boolean becomesAdmin(String email) {
        return properties.isAdmin(email) || properties.adminEmails().isEmpty() && !users.anyExists();
    }

    /** Forgets the cached account, after an admin changed it. */
    void evict(UUID id) {
        userCache.evict(id.toString());
    }

    /** The account whose password this is; empty for a wrong password or an unknown email alike. */
    public Optional<User> authenticate(String email, String password) {
        var credentials = users.findCredentials(normalise(email));
        if (credentials.isEmpty() || credentials.get().passwordHash().equals(ExternalAccounts.NO_PASSWORD)) {
            PASSWORDS.matches(password, UNKNOWN_USER_HASH);
            return Optional.empty();
        }
        return PASSWORDS.matches(password, credentials.get().passwordHash())
                ? Optional.of(credentials.get().user())
                : Optional.empty();
    }

    /** Whether this is the account's password (false for an unknown account, at the same cost). */
    public boolean passwordMatches(UUID id, String password) {
        var hash = users.passwordHash(id).filter(stored -> !stored.equals(ExternalAccounts.NO_PASSWORD));
        return PASSWORDS.matches(password, hash.orElse(UNKNOWN_USER_HASH)) && hash.isPresent();
    }

    /** Whether the account has a password (one created through single sign-on has none). */
    public boolean hasPassword(UUID id) {
        return users.passwordHash(id)
                .filter(stored -> !stored.equals(ExternalAccounts.NO_PASSWORD))
                .isPresent();
    }

    /**
     * Replaces the account's password once the current one is confirmed; the caller ends the account's
     * other sessions.
     *
     * @throws WrongPassword when the current password is not the account's
     */
    public void changePassword(UUID id, String current, String replacement, @Nullable String from) {
        if (!passwordMatches(id, current)) {
            throw new WrongPassword();
        }
        var hash = PASSWORDS.encode(replacement);
        transactions.executeWithoutResult(status -> {
            users.changePassword(id, hash);
            audit.append(id, "account.password_changed", id, java.util.Map.of(), from);
        });
    }

    public Optional<User> find(UUID id) {
        return Optional.ofNullable(
                userCache.getOrLoad(id.toString(), () -> users.find(id).orElse(null)));
    }

    @EventListener(ApplicationReadyEvent.class)
    void promoteConfiguredAdmins() {
        if (!properties.adminEmails().isEmpty()) {
            var promoted = users.promoteToAdmin(properties.adminEmails());
            promoted.forEach(id -> userCache.evict(id.toString()));
            if (!promoted.isEmpty()) {
                log.info("Promoted {} existing account(s) listed in colloquy.admin-emails to admin", promoted.size());
            }
        }
    }

    static String normalise(String email) {
        return email.strip().toLowerCase(Locale.ROOT);
    }
}
