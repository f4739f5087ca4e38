package dev.colloquy.auth;

import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How Colloquy treats each single sign-on provider, by its registration id (the providers themselves
 * are Spring Security's {@code spring.security.oauth2.client.registration.<id>} and {@code
 * .provider.<id>.issuer-uri}).
 *
 * @param sso per provider: the roles claim, which of its values make an admin, and whether to trust
 *     emails the provider does not mark verified
 */
@ConfigurationProperties("colloquy.auth")
public record SsoProperties(@DefaultValue Map<String, Provider> sso) {

    /**
     * @param rolesClaim the ID token or user-info claim holding the person's groups or roles
     * @param adminValues values of that claim that make an admin; empty: the provider does not decide
     *     roles (accounts keep theirs)
     * @param trustEmail take the provider's email as verified even without {@code email_verified: true}
     *     (for providers that never send the claim but only hand out addresses they own)
     */
    public record Provider(
            @DefaultValue("groups") String rolesClaim,
            @DefaultValue List<String> adminValues,
            @DefaultValue("false") boolean trustEmail) {}

    Provider of(String registrationId) {
        return sso.getOrDefault(registrationId, new Provider("groups", List.of(), false));
    }
}
