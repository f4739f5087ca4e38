package dev.colloquy.user;

import static org.assertj.core.api.Assertions.assertThat;

import dev.colloquy.Api;
import dev.colloquy.TestDatabase;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Who gets in, on an installation of its own (a fresh database, no admin emails configured) with
 * sign-up by approval for one email domain: the first account is the admin, later ones wait for
 * its approval, invites let their holder in once, and a disabled account is shut out at once. It
 * does not extend {@code IntegrationTest}, whose database it must not share: there the first account
 * would be whichever test signed up first. It runs on the in-process cache alone, so that this
 * second service in the JVM shares no Redis state with the one the other tests use.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "colloquy.cursors.secret=integration-tests-cursor-secret-0123456789",
            "colloquy.auth.signup=approval",
            "colloquy.auth.signup-domains=colloquy.test"
        })
// closed when done, so that a second service never runs beside the shared one in this JVM
@DirtiesContext
class SignupPolicyIT {

    private static final String SCRATCH = TestDatabase.get().createScratch("colloquy_signup");
    private static Api.Account operator;

    static {
        Runtime.getRuntime()
                .addShutdownHook(new Thread(() -> TestDatabase.get().dropScratch(SCRATCH), "drop-signup-database"));
    }

    @LocalServerPort
    private int port;

    @DynamicPropertySource
    static void ownInstallation(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", () -> SCRATCH);
        registry.add("spring.datasource.username", () -> TestDatabase.get().user());
    }

    private Api api() {
        return new Api("http://127.0.0.1:" + port);
    }

    @BeforeEach
    void theOperatorSignsUpFirst() {
        synchronized (SignupPolicyIT.class) {
            if (operator == null) {
                // outside the allowed domain, under approval: the first account gets in all the same
                operator = api().register("operator@elsewhere.test");
            }
        }
    }

    @Test
    void theFirstAccountIsAnActiveAdminWhateverThePolicy() {
        var me = api().get("/api/me", operator.token()).json();

        assertThat(me.path("role").asString()).isEqualTo("ADMIN");
        assertThat(me.path("status").asString()).isEqualTo("ACTIVE");
    }

    @Test
    void newAccountsWaitForApprovalAndCanDoNothingElse() {
        var waiting = register("waiting@colloquy.test", null);
        assertThat(waiting.status()).isEqualTo(201);
        assertThat(waiting.json().path("user").path("status").asString()).isEqualTo("PENDING");
        var token = waiting.json().path("token").asString();

        assertThat(api().get("/api/me", token).json().path("status").asString()).isEqualTo("PENDING");
        var conversations = api().get("/api/conversations", token);
        assertThat(conversations.status()).isEqualTo(403);
        assertThat(conversations.json().path("type").asString()).endsWith("account-pending");
        assertThat(api().post("/api/api-keys", token, "{\"name\":\"k\"}").status())
                .isEqualTo(403);
        assertThat(api().get("/v1/models", token).status()).isEqualTo(403);

        var id = waiting.json().path("user").path("id").asString();
        var pending =
                api().get("/api/admin/users?status=pending", operator.token()).json();
        assertThat(pending.path("items").toString()).contains(id);
        var approved = api().post("/api/admin/users/" + id + "/approve", operator.token(), "{}");

        assertThat(approved.status()).isEqualTo(200);
        assertThat(approved.json().path("status").asString()).isEqualTo("ACTIVE");
        assertThat(api().get("/api/me", token).json().path("status").asString()).isEqualTo("ACTIVE");
        assertThat(api().get("/api/conversations", token).status()).isEqualTo(200);
        var audit = api().get("/api/admin/audit", operator.token()).json().path("items");
        assertThat(audit.toString())
                .contains("account.approved", id, operator.id().toString());
    }

    @Test
    void refusesEmailsOutsideTheAllowedDomains() {
        var refused = register("someone@elsewhere.test", null);

        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.json().path("type").asString()).endsWith("signup-domain");
    }

    @Test
    void anInviteLetsItsHolderInOnce() {
        var invite = api().post("/api/admin/invites", operator.token(), "{\"email\":\"Invited@colloquy.test\"}");
        assertThat(invite.status()).isEqualTo(201);
        var code = invite.json().path("code").asString();

        var invited = register("invited@colloquy.test", code);
        var again = register("second@colloquy.test", code);

        assertThat(invited.status()).isEqualTo(201);
        assertThat(invited.json().path("user").path("status").asString()).isEqualTo("ACTIVE");
        assertThat(again.status()).isEqualTo(403);
        assertThat(again.json().path("type").asString()).endsWith("invite-invalid");
        var login = api().post(
                        "/api/auth/login",
                        null,
                        "{\"email\":\"second@colloquy.test\",\"password\":\"correct horse battery\"}");
        assertThat(login.status()).as("a refused sign-up leaves no account").isEqualTo(401);
    }

    @Test
    void aDisabledAccountIsShutOutAtOnce() {
        var code = api().post("/api/admin/invites", operator.token(), "{}")
                .json()
                .path("code")
                .asString();
        var member = register("leaving@colloquy.test", code).json();
        var token = member.path("token").asString();
        var key = api().post("/api/api-keys", token, "{\"name\":\"k\"}")
                .json()
                .path("key")
                .asString();
        assertThat(api().get("/v1/models", key).status()).isEqualTo(200);
        var id = member.path("user").path("id").asString();

        var disabled =
                api().post("/api/admin/users/" + id + "/disable", operator.token(), "{\"reason\":\"left the team\"}");

        assertThat(disabled.status()).isEqualTo(200);
        assertThat(api().get("/api/admin/audit", operator.token())
                        .json()
                        .path("items")
                        .toString())
                .contains("account.disabled", "left the team");
        assertThat(api().get("/api/conversations", token).status()).isEqualTo(401);
        assertThat(api().get("/v1/models", key).status()).isEqualTo(401);
        var login = api().post(
                        "/api/auth/login",
                        null,
                        "{\"email\":\"leaving@colloquy.test\",\"password\":\"correct horse battery\"}");
        assertThat(login.status()).isEqualTo(403);
        assertThat(login.json().path("type").asString()).endsWith("account-disabled");

        api().post("/api/admin/users/" + id + "/enable", operator.token(), "{}");
        assertThat(api().post(
                                "/api/auth/login",
                                null,
                                "{\"email\":\"leaving@colloquy.test\",\"password\":\"correct horse battery\"}")
                        .status())
                .isEqualTo(200);
    }

    @Test
    void onlyAdminsAdministerAccounts() {
        var code = api().post("/api/admin/invites", operator.token(), "{}")
                .json()
                .path("code")
                .asString();
        var member = register("member@colloquy.test", code).json().path("token").asString();

        assertThat(api().get("/api/admin/users", member).status()).isEqualTo(403);
        assertThat(api().post("/api/admin/invites", member, "{}").status()).isEqualTo(403);
        assertThat(api().post("/api/admin/users/" + operator.id() + "/disable", operator.token(), "{}")
                        .status())
                .as("an admin cannot shut themselves out")
                .isEqualTo(409);
    }

    @Test
    void theInstallationAlwaysKeepsAnActiveAdmin() {
        var code = api().post("/api/admin/invites", operator.token(), "{}")
                .json()
                .path("code")
                .asString();
        var deputy = register("deputy@colloquy.test", code).json();
        var deputyId = deputy.path("user").path("id").asString();

        var alone = api().post("/api/admin/users/" + operator.id() + "/role", operator.token(), "{\"role\":\"USER\"}");
        var deleteAlone =
                api().send("DELETE", "/api/me", operator.token(), "{\"password\":\"correct horse battery\"}", Map.of());
        var promoted = api().post("/api/admin/users/" + deputyId + "/role", operator.token(), "{\"role\":\"ADMIN\"}");
        var deputyLists = api().get("/api/admin/users", deputy.path("token").asString());
        var demoted = api().post(
                        "/api/admin/users/" + deputyId + "/role",
                        operator.token(),
                        "{\"role\":\"USER\",\"reason\":\"covered the holidays\"}");

        assertThat(alone.status()).as("the last admin cannot become a user").isEqualTo(409);
        assertThat(alone.json().path("detail").asString()).contains("last active admin");
        assertThat(deleteAlone.status()).as("nor delete their account").isEqualTo(409);
        assertThat(promoted.status()).isEqualTo(200);
        assertThat(promoted.json().path("role").asString()).isEqualTo("ADMIN");
        assertThat(deputyLists.status()).as("a new admin administers at once").isEqualTo(200);
        assertThat(demoted.json().path("role").asString()).isEqualTo("USER");
        assertThat(api().get("/api/admin/users", deputy.path("token").asString())
                        .status())
                .as("and stops at once")
                .isEqualTo(403);
        var audit = api().get("/api/admin/audit", operator.token()).json().path("items");
        assertThat(audit.get(0).path("action").asString()).isEqualTo("account.role_changed");
        assertThat(audit.get(0).path("detail").path("to").asString()).isEqualTo("USER");
        assertThat(audit.get(0).path("detail").path("reason").asString()).isEqualTo("covered the holidays");
    }

    private Api.Response register(String email, String invite) {
        var body = "{\"email\":\"" + email + "\",\"password\":\"correct horse battery\",\"displayName\":\"Someone\""
                + (invite == null ? "" : ",\"invite\":\"" + invite + "\"") + "}";
        return api().send("POST", "/api/auth/register", null, body, Map.of());
    }
}
