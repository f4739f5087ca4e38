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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;

/** Registering accounts and checking their passwords. Passwords are hashed with Argon2id. */
@Service
public class UserAccounts {

    private static final Logger log = LoggerFactory.getLogger(UserAccounts.class);

    private final Users users;
    private final AccountProperties properties;
    private final TypedCache<User> userCache;
    private final PasswordEncoder passwords = Argon2PasswordEncoder.defaultsForSpringSecurity_v5_8();
    private final String unknownUserHash;

    UserAccounts(Users users, AccountProperties properties, TwoTierCache cache) {
        this.users = users;
        this.properties = properties;
        this.userCache = cache.typed(CacheNamespace.USER, User.class);
        this.unknownUserHash = passwords.encode("colloquy-timing-equaliser");
    }

    public User register(String email, String password, String displayName) {
        var normalised = normalise(email);
        var role = properties.isAdmin(normalised) ? Role.ADMIN : Role.USER;
        var user = new User(
                Uuid7.next(),
                normalised,
                displayName.strip(),
                role,
                Instant.now().truncatedTo(ChronoUnit.MICROS));
        if (!users.insert(user, passwords.encode(password))) {
            throw new EmailTaken();
        }
        log.atInfo().addKeyValue("user.id", user.id()).log("Registered account with role {}", role);
        return user;
    }

    /** The account whose password this is; empty for a wrong password or an unknown email alike. */
    public Optional<User> authenticate(String email, String password) {
        var credentials = users.findCredentials(normalise(email));
        if (credentials.isEmpty()) {
            passwords.matches(password, unknownUserHash);
            return Optional.empty();
        }
        return passwords.matches(password, credentials.get().passwordHash())
                ? Optional.of(credentials.get().user())
                : Optional.empty();
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

    private static String normalise(String email) {
        return email.strip().toLowerCase(Locale.ROOT);
    }
}
