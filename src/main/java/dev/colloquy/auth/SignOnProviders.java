package dev.colloquy.auth;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.security.oauth2.client.autoconfigure.OAuth2ClientProperties;
import org.springframework.boot.security.oauth2.client.autoconfigure.OAuth2ClientPropertiesMapper;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;

/**
 * The single sign-on providers of {@code spring.security.oauth2.client.registration.*}, read when the
 * service starts, in the order they are configured; none is a valid set (sign-in with a password
 * only). Spring Boot registers its own repository only when providers are configured at the time its
 * conditions are evaluated, which for the AOT-processed start is the build, not the start (see
 * docs/PRODUCTION_OPTIMIZATION_DEPLOYMENT_GUIDE.md, "Start-up"), so the service keeps its own: the
 * same providers whichever way it starts. Being a {@link ClientRegistrationRepository}, it also
 * stands in for Boot's.
 */
final class SignOnProviders implements ClientRegistrationRepository, Iterable<ClientRegistration> {

    private final Map<String, ClientRegistration> byId;
    private final List<ClientRegistration> inOrder;

    SignOnProviders(OAuth2ClientProperties properties) {
        this.byId = Map.copyOf(new OAuth2ClientPropertiesMapper(properties).asClientRegistrations());
        this.inOrder =
                properties.getRegistration().keySet().stream().map(byId::get).toList();
    }

    boolean isEmpty() {
        return byId.isEmpty();
    }

    @Override
    public @Nullable ClientRegistration findByRegistrationId(String registrationId) {
        return byId.get(registrationId);
    }

    @Override
    public Iterator<ClientRegistration> iterator() {
        return inOrder.iterator();
    }
}
