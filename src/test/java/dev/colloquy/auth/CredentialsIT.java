package dev.colloquy.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.colloquy.Api;
import dev.colloquy.FakeUpstream;
import dev.colloquy.Replica;
import dev.colloquy.TestRedis;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * Credentials across replicas and in the logs: session tokens expire, a logout or a revoked key is
 * refused by every replica at once, no password, token or key (the users' or an upstream's) is ever
 * written to the log, even at DEBUG, and cross-origin browser calls are refused unless their origin
 * is configured. Two replicas over the tests' database: one with one-second sessions and DEBUG
 * logging, one with a CORS origin allowed.
 */
@ExtendWith(OutputCaptureExtension.class)
class CredentialsIT {

    private static final String UPSTREAM_KEY = "sk-upstream-" + UUID.randomUUID();
    private static final String ALLOWED_ORIGIN = "https://app.colloquy.test";

    private static Replica shortSessions;
    private static Replica withCors;

    @BeforeAll
    static void start() {
        var redis = TestRedis.get();
        shortSessions = Replica.start(Map.of(
                "spring.data.redis.url",
                redis.url(),
                "colloquy.cache.key-prefix",
                redis.prefix(),
                "colloquy.auth.session-ttl",
                "2s",
                "logging.level.dev.colloquy",
                "DEBUG",
                "colloquy.llm.models[0].name",
                "keyed-model",
                "colloquy.llm.models[0].base-url",
                FakeUpstream.get().baseUrl(),
                "colloquy.llm.models[0].api-key",
                UPSTREAM_KEY));
        withCors = Replica.start(Map.of(
                "spring.data.redis.url", redis.url(),
                "colloquy.cache.key-prefix", redis.prefix(),
                "colloquy.web.cors-allowed-origins", ALLOWED_ORIGIN));
    }

    @AfterAll
    static void stop() {
        shortSessions.close();
        withCors.close();
    }

    @Test
    void aSessionTokenStopsWorkingWhenItExpiresOnEveryReplica() throws InterruptedException {
        var account = shortSessions.api().register();
        assertThat(shortSessions.api().get("/api/me", account.token()).status()).isEqualTo(200);
        assertThat(withCors.api().get("/api/me", account.token()).status()).isEqualTo(200);

        Thread.sleep(2_500);

        for (var api : new Api[] {shortSessions.api(), withCors.api()}) {
            var expired = api.get("/api/me", account.token());
            assertThat(expired.status()).isEqualTo(401);
            assertThat(expired.header("WWW-Authenticate")).contains("invalid_token");
            assertThat(expired.contentType()).startsWith("application/problem+json");
        }
    }

    @Test
    void aLogoutOrARevokedKeyIsRefusedByEveryReplicaAtOnce() {
        var account = withCors.api().register();
        var key = withCors.api()
                .post("/api/api-keys", account.token(), "{\"name\":\"laptop\"}")
                .json();
        assertThat(shortSessions.api().get("/api/me", key.get("key").asString()).status())
                .isEqualTo(200);

        var revoked = withCors.api().delete("/api/api-keys/" + key.get("id").asString(), account.token());
        var logout = withCors.api().post("/api/auth/logout", account.token(), "{}");

        assertThat(revoked.status()).isEqualTo(204);
        assertThat(logout.status()).isEqualTo(204);
        // the other replica's in-process cache hears of it over Redis pub/sub, within milliseconds
        Awaitility.await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> {
            assertThat(shortSessions
                            .api()
                            .get("/api/me", key.get("key").asString())
                            .status())
                    .isEqualTo(401);
            assertThat(shortSessions.api().get("/api/me", account.token()).status())
                    .isEqualTo(401);
        });
    }

    @Test
    void noPasswordTokenOrKeyReachesTheLog(CapturedOutput output) {
        var api = shortSessions.api();
        var password = "never logged " + UUID.randomUUID();
        var email = "secretive-" + UUID.randomUUID() + "@colloquy.test";
        var registered = api.post(
                "/api/auth/register",
                null,
                "{\"email\":\"" + email + "\",\"password\":\"" + password + "\",\"displayName\":\"S\"}");
        assertThat(registered.status()).isEqualTo(201);
        var token = registered.json().get("token").asString();
        var wrong = "wrong " + UUID.randomUUID();
        assertThat(api.post("/api/auth/login", null, "{\"email\":\"" + email + "\",\"password\":\"" + wrong + "\"}")
                        .status())
                .isEqualTo(401);
        var login =
                api.post("/api/auth/login", null, "{\"email\":\"" + email + "\",\"password\":\"" + password + "\"}");
        var secondToken = login.json().get("token").asString();
        var key = api.post("/api/api-keys", token, "{\"name\":\"ci\",\"scope\":\"chat\"}")
                .json()
                .get("key")
                .asString();
        var answer = api.post(
                "/v1/chat/completions",
                key,
                "{\"model\":\"keyed-model\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}");
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        assertThat(FakeUpstream.get().lastHeaders("keyed-model").toString())
                .as("the upstream key was sent upstream")
                .contains(UPSTREAM_KEY);
        var forged = "cqs_" + UUID.randomUUID();
        assertThat(api.get("/api/me", forged).status()).isEqualTo(401);
        assertThat(api.get("/api/me", token.substring(0, token.length() - 1) + "x")
                        .status())
                .isEqualTo(401);

        assertThat(output.getAll()).as("the log was captured").contains("Registered account");
        assertThat(output.getAll())
                .doesNotContain(password, wrong, token, secondToken, key, UPSTREAM_KEY, forged)
                .doesNotContain(key.substring(8), token.substring(8));
    }

    @Test
    void crossOriginCallsAreRefusedUnlessTheOriginIsConfigured() {
        var account = withCors.api().register();
        var preflight = Map.of(
                "Origin", "https://evil.example",
                "Access-Control-Request-Method", "POST",
                "Access-Control-Request-Headers", "authorization,content-type");

        var closed = shortSessions.api().send("OPTIONS", "/api/conversations", null, null, preflight);
        var closedRead = shortSessions
                .api()
                .get("/api/conversations", account.token(), Map.of("Origin", "https://evil.example"));
        var otherOrigin = withCors.api().send("OPTIONS", "/api/conversations", null, null, preflight);
        var allowed = withCors.api()
                .send(
                        "OPTIONS",
                        "/api/conversations",
                        null,
                        null,
                        Map.of(
                                "Origin", ALLOWED_ORIGIN,
                                "Access-Control-Request-Method", "POST",
                                "Access-Control-Request-Headers", "authorization,content-type"));
        var allowedRead = withCors.api().get("/api/conversations", account.token(), Map.of("Origin", ALLOWED_ORIGIN));

        assertThat(closed.header("Access-Control-Allow-Origin")).isNull();
        assertThat(closed.header("Access-Control-Allow-Methods")).isNull();
        assertThat(closedRead.header("Access-Control-Allow-Origin")).isNull();
        assertThat(otherOrigin.header("Access-Control-Allow-Origin")).isNull();
        assertThat(otherOrigin.status()).isEqualTo(403);
        assertThat(allowed.status()).isEqualTo(200);
        assertThat(allowed.header("Access-Control-Allow-Origin")).isEqualTo(ALLOWED_ORIGIN);
        assertThat(allowed.header("Access-Control-Allow-Headers")).containsIgnoringCase("authorization");
        assertThat(allowed.header("Access-Control-Allow-Credentials")).isNull();
        assertThat(allowedRead.status()).isEqualTo(200);
        assertThat(allowedRead.header("Access-Control-Allow-Origin")).isEqualTo(ALLOWED_ORIGIN);
    }
}
