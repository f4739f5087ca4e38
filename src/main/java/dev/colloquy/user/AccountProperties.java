package dev.colloquy.user;

import java.util.List;
import java.util.Locale;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Accounts.
 *
 * @param adminEmails accounts with these emails are admins: at registration and, for existing ones,
 *     at every start ({@code COLLOQUY_ADMIN_EMAILS}, comma-separated)
 */
@ConfigurationProperties("colloquy")
public record AccountProperties(@DefaultValue List<String> adminEmails) {

    public AccountProperties {
        adminEmails = adminEmails.stream()
                .map(email -> email.strip().toLowerCase(Locale.ROOT))
                .filter(email -> !email.isEmpty())
                .toList();
    }

    boolean isAdmin(String email) {
        return adminEmails.contains(email);
    }
}
