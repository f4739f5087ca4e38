package dev.colloquy.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.colloquy.Api;
import dev.colloquy.IntegrationTest;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class AuthIT extends IntegrationTest {

    @Test
    void registeredUserSeesOwnAccount() {
        var account = api().register();

        var me = api().get("/api/me", account.token());

        assertThat(me.status()).isEqualTo(200);
        assertThat(me.json().get("email").asString()).isEqualTo(account.email());
        assertThat(me.json().get("role").asString()).isEqualTo("USER");
        assertThat(me.body()).doesNotContain("password");
    }

    @Test
    void registeringTheSameEmailTwiceConflictsWhateverItsCase() {
        var account = api().register();

        var again = api().post(
                        "/api/auth/register",
                        null,
                        "{\"email\":\"" + account.email().toUpperCase()
                                + "\",\"password\":\"another long password\",\"displayName\":\"X\"}");

        assertThat(again.status()).isEqualTo(409);
        assertThat(again.contentType()).startsWith("application/problem+json");
        assertThat(again.json().get("type").asString()).isEqualTo("urn:colloquy:problem:email-taken");
    }

    @Test
    void loginGivesAWorkingTokenAndWrongPasswordDoesNot() {
        var account = api().register();

        var login = api().post(
                        "/api/auth/login",
                        null,
                        "{\"email\":\"" + account.email() + "\",\"password\":\"correct horse battery\"}");
        var wrong = api().post(
                        "/api/auth/login",
                        null,
                        "{\"email\":\"" + account.email() + "\",\"password\":\"wrong horse battery\"}");
        var unknown = api().post(
                        "/api/auth/login",
                        null,
                        "{\"email\":\"nobody-" + UUID.randomUUID()
                                + "@colloquy.test\",\"password\":\"correct horse battery\"}");

        assertThat(login.status()).isEqualTo(200);
        assertThat(login.json().get("expiresAt").asString()).isNotBlank();
        assertThat(api().get("/api/me", login.json().get("token").asString()).status())
                .isEqualTo(200);
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(unknown.status()).isEqualTo(401);
        assertThat(unknown.json().get("detail").asString())
                .isEqualTo(wrong.json().get("detail").asString());
    }

    @Test
    void repeatedWrongPasswordsHoldTheAccountsLoginsForAWhile() {
        var account = api().register();
        for (int i = 0; i < 5; i++) {
            assertThat(login(account.email(), "not the password").status()).isEqualTo(401);
        }

        var locked = login(account.email(), "correct horse battery");

        assertThat(locked.status()).as("even the right password waits").isEqualTo(429);
        assertThat(locked.contentType()).startsWith("application/problem+json");
        assertThat(locked.json().get("type").asString()).endsWith("too-many-login-attempts");
        assertThat(Long.parseLong(locked.header("Retry-After"))).isBetween(1L, 900L);
        assertThat(login(account.email().toUpperCase(java.util.Locale.ROOT), "correct horse battery")
                        .status())
                .as("the same email in other case is the same account")
                .isEqualTo(429);
        var other = api().register();
        assertThat(login(other.email(), "correct horse battery").status())
                .as("another account from the same address is not held")
                .isEqualTo(200);
    }

    @Test
    void aSuccessfulLoginClearsTheFailures() {
        var account = api().register();
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < 4; i++) {
                assertThat(login(account.email(), "not the password").status()).isEqualTo(401);
            }
            assertThat(login(account.email(), "correct horse battery").status()).isEqualTo(200);
        }
    }

    private Api.Response login(String email, String password) {
        return api().post("/api/auth/login", null, "{\"email\":\"" + email + "\",\"password\":\"" + password + "\"}");
    }

    @Test
    void logoutRevokesTheSessionToken() {
        var account = api().register();

        var logout = api().post("/api/auth/logout", account.token(), "{}");
        var after = api().get("/api/me", account.token());

        assertThat(logout.status()).isEqualTo(204);
        assertThat(after.status()).isEqualTo(401);
        assertThat(after.header("WWW-Authenticate")).contains("invalid_token");
    }

    @Test
    void missingOrUnknownTokensAnswer401Problems() {
        var anonymous = api().get("/api/conversations", null);
        var unknown = api().get("/api/conversations", "cqs_unknown-token");
        var garbage = api().get("/api/conversations", "x".repeat(5000));

        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.contentType()).startsWith("application/problem+json");
        assertThat(unknown.status()).isEqualTo(401);
        assertThat(garbage.status()).isEqualTo(401);
    }

    @Test
    void configuredAdminEmailRegistersAsAdmin() {
        var admin = api().admin();

        var me = api().get("/api/me", admin.token());

        assertThat(me.json().get("role").asString()).isEqualTo("ADMIN");
    }

    @Test
    void apiKeyIsShownOnceWorksAndStopsWorkingWhenRevoked() {
        var account = api().register();

        var created = api().post("/api/api-keys", account.token(), "{\"name\":\"laptop\"}");
        var key = created.json().get("key").asString();
        var id = created.json().get("id").asString();
        var listed = api().get("/api/api-keys", account.token());
        var withKey = api().get("/api/me", key);
        var revoked = api().delete("/api/api-keys/" + id, account.token());
        var afterRevoke = api().get("/api/me", key);

        assertThat(created.status()).isEqualTo(201);
        assertThat(key).startsWith("cqk_");
        assertThat(listed.body())
                .doesNotContain(key)
                .contains(created.json().get("prefix").asString());
        assertThat(withKey.status()).isEqualTo(200);
        assertThat(revoked.status()).isEqualTo(204);
        assertThat(afterRevoke.status()).isEqualTo(401);
    }

    @Test
    void anotherUsersApiKeyCannotBeRevoked() {
        var owner = api().register();
        var other = api().register();
        var id = api().post("/api/api-keys", owner.token(), "{\"name\":\"ci\"}")
                .json()
                .get("id")
                .asString();

        var attempt = api().delete("/api/api-keys/" + id, other.token());

        assertThat(attempt.status()).isEqualTo(404);
        assertThat(api().get("/api/api-keys", owner.token()).body()).contains(id);
    }

    @Test
    void chatScopedKeyCannotUseTheManagementApi() {
        var account = api().register();
        var key = api().post("/api/api-keys", account.token(), "{\"name\":\"bot\",\"scope\":\"chat\"}")
                .json()
                .get("key")
                .asString();

        var attempt = api().get("/api/conversations", key);

        assertThat(attempt.status()).isEqualTo(403);
        assertThat(attempt.contentType()).startsWith("application/problem+json");
    }

    @Test
    void nonAdminsAreForbiddenOnAdminRoutes() {
        var account = api().register();

        var attempt = api().get("/api/admin/cache/stats", account.token());

        assertThat(attempt.status()).isEqualTo(403);
    }

    @Test
    void registrationValidatesItsFields() {
        var response = api().post(
                        "/api/auth/register",
                        null,
                        "{\"email\":\"not-an-email\",\"password\":\"short\",\"displayName\":\"\"}");

        assertThat(response.status()).isEqualTo(422);
        assertThat(response.json().get("errors").toString()).contains("email", "password", "displayName");
    }
}
