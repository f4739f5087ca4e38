package idp;

import dev.colloquy.TestDatabase;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.oauth2.core.oidc.endpoint.OidcParameterNames;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenCustomizer;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;

/**
 * A real OpenID provider for the single sign-on tests: Spring Authorization Server in its own
 * application context on a random loopback port, with one confidential client ({@code colloquy},
 * PKCE required, any loopback redirect port) and people whose ID tokens are right or wrong in one
 * way each. It lives outside {@code dev.colloquy}, so the service never scans it.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class TestIdentityProvider {

    public static final String CLIENT_ID = "colloquy";
    public static final String CLIENT_SECRET = "colloquy-test-secret";
    public static final String PASSWORD = "idp password";

    /** A person at the provider: how their ID token is made. */
    record Person(String email, boolean verified, List<String> groups, String audience, boolean expired) {}

    static final Map<String, Person> PEOPLE = Map.of(
            "alice", new Person("alice@colloquy.test", true, List.of("staff"), CLIENT_ID, false),
            "boss", new Person("boss@colloquy.test", true, List.of("staff", "colloquy-admins"), CLIENT_ID, false),
            "newcomer", new Person("newcomer@colloquy.test", true, List.of(), CLIENT_ID, false),
            "browser", new Person("browser@colloquy.test", true, List.of(), CLIENT_ID, false),
            "outsider", new Person("outsider@elsewhere.test", true, List.of(), CLIENT_ID, false),
            "unverified", new Person("unverified@colloquy.test", false, List.of(), CLIENT_ID, false),
            "mallory", new Person("mallory@colloquy.test", true, List.of(), "another-client", false),
            "late", new Person("late@colloquy.test", true, List.of(), CLIENT_ID, true));

    /** Starts the provider; its issuer is {@code http://127.0.0.1:<port>}. */
    public static Running start() {
        var properties = new HashMap<String, String>();
        properties.put("server.port", "0");
        properties.put("server.address", "127.0.0.1");
        properties.put("spring.datasource.url", TestDatabase.get().url());
        properties.put("spring.datasource.username", TestDatabase.get().user());
        properties.put("spring.flyway.enabled", "false");
        var client = "spring.security.oauth2.authorizationserver.client.colloquy.";
        properties.put(client + "registration.client-id", CLIENT_ID);
        properties.put(client + "registration.client-secret", "{noop}" + CLIENT_SECRET);
        properties.put(client + "registration.client-authentication-methods", "client_secret_basic");
        properties.put(client + "registration.authorization-grant-types", "authorization_code");
        // a loopback redirect URI matches on any port (RFC 8252, section 7.3)
        properties.put(client + "registration.redirect-uris", "http://127.0.0.1/login/oauth2/code/test-idp");
        properties.put(client + "registration.scopes", "openid,email,profile");
        properties.put(client + "require-proof-key", "true");
        properties.put(client + "require-authorization-consent", "false");
        // as arguments, so that they win over the service's application.yml on the same class path
        var arguments = properties.entrySet().stream()
                .map(entry -> "--" + entry.getKey() + "=" + entry.getValue())
                .toArray(String[]::new);
        var context = new SpringApplicationBuilder(TestIdentityProvider.class).run(arguments);
        return new Running(context);
    }

    /** A started provider. */
    public record Running(ConfigurableApplicationContext context) implements AutoCloseable {

        public String issuer() {
            return "http://127.0.0.1:"
                    + ((WebServerApplicationContext) context).getWebServer().getPort();
        }

        @Override
        public void close() {
            context.close();
        }
    }

    @Bean
    UserDetailsService people() {
        var users = new InMemoryUserDetailsManager();
        PEOPLE.keySet()
                .forEach(name -> users.createUser(User.withUsername(name)
                        .password("{noop}" + PASSWORD)
                        .roles("USER")
                        .build()));
        return users;
    }

    /** Each person's ID token: their email, whether it is verified, their groups, and one fault if any. */
    @Bean
    OAuth2TokenCustomizer<JwtEncodingContext> idTokens() {
        return context -> {
            if (!OidcParameterNames.ID_TOKEN.equals(context.getTokenType().getValue())) {
                return;
            }
            var person = PEOPLE.get(context.getPrincipal().getName());
            if (person == null) {
                return;
            }
            var claims = context.getClaims()
                    .claim("email", person.email())
                    .claim("email_verified", person.verified())
                    .claim("name", context.getPrincipal().getName() + " of the test provider")
                    .claim("groups", person.groups())
                    .audience(List.of(person.audience()));
            if (person.expired()) {
                claims.issuedAt(Instant.now().minusSeconds(7_200))
                        .expiresAt(Instant.now().minusSeconds(3_600));
            }
        };
    }
}
