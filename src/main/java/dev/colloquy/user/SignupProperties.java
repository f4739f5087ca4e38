package dev.colloquy.user;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Who may sign up.
 *
 * @param signup the policy ({@code COLLOQUY_AUTH_SIGNUP}): {@code open}, {@code approval} (the
 *     default: new accounts wait for an admin), {@code invite} or {@code closed}
 * @param signupDomains email domains accounts may sign up with ({@code COLLOQUY_AUTH_SIGNUP_DOMAINS},
 *     comma-separated); empty: any
 * @param inviteTtl how long an invite stays usable
 */
@ConfigurationProperties("colloquy.auth")
public record SignupProperties(
        @DefaultValue("approval") SignupPolicy signup,
        @DefaultValue List<String> signupDomains,
        @DefaultValue("7d") Duration inviteTtl) {

    public SignupProperties {
        signupDomains = signupDomains.stream()
                .map(domain -> domain.strip().toLowerCase(Locale.ROOT))
                .filter(domain -> !domain.isEmpty())
                .toList();
        if (!inviteTtl.isPositive()) {
            throw new IllegalArgumentException("colloquy.auth.invite-ttl must be positive");
        }
    }

    boolean allows(String email) {
        return signupDomains.isEmpty() || signupDomains.contains(email.substring(email.lastIndexOf('@') + 1));
    }
}
