package dev.colloquy.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.colloquy.user.Role;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/** Single sign-on settings as operators give them (environment variables), and roles from claims. */
class SsoPropertiesTest {

    @Test
    void environmentVariablesConfigureEachProviderByItsId() {
        var environment = new StandardEnvironment();
        // under the name Spring gives the real environment, so that its variable-name mapping applies
        environment
                .getPropertySources()
                .replace(
                        StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                        new SystemEnvironmentPropertySource(
                                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                                Map.of(
                                        "COLLOQUY_AUTH_SSO_KEYCLOAK_ADMINVALUES", "colloquy-admins,ops",
                                        "COLLOQUY_AUTH_SSO_KEYCLOAK_ROLESCLAIM", "roles",
                                        "COLLOQUY_AUTH_SSO_GOOGLE_TRUSTEMAIL", "true")));

        var properties = new Binder(ConfigurationPropertySources.get(environment))
                .bindOrCreate("colloquy.auth", SsoProperties.class);

        assertThat(properties.sso()).as("bound: %s", properties.sso()).containsKeys("keycloak", "google");
        assertThat(properties.of("keycloak").adminValues()).containsExactly("colloquy-admins", "ops");
        assertThat(properties.of("keycloak").rolesClaim()).isEqualTo("roles");
        assertThat(properties.of("google").trustEmail()).isTrue();
        assertThat(properties.of("google").rolesClaim()).isEqualTo("groups");
        assertThat(properties.of("unlisted").adminValues()).isEmpty();
    }

    @Test
    void theRolesClaimMakesAnAdminOnlyWithAnAdminValue() {
        var admins = List.of("colloquy-admins");

        assertThat(SingleSignOn.role(List.of("staff", "colloquy-admins"), admins))
                .isEqualTo(Role.ADMIN);
        assertThat(SingleSignOn.role(List.of("staff"), admins)).isEqualTo(Role.USER);
        assertThat(SingleSignOn.role("staff colloquy-admins", admins)).isEqualTo(Role.ADMIN);
        assertThat(SingleSignOn.role(null, admins)).isEqualTo(Role.USER);
        assertThat(SingleSignOn.role(List.of("colloquy-admins"), List.of()))
                .as("no admin values: the provider does not decide roles")
                .isNull();
    }
}
