package dev.colloquy.user;

import static org.assertj.core.api.Assertions.assertThat;

import dev.colloquy.Api;
import dev.colloquy.IntegrationTest;
import dev.colloquy.TestRedis;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * What an admin lets an account do (models, budget), and what every account can do with itself:
 * change its password, export everything it owns, and delete it without a trace but the ledger's
 * anonymous amounts.
 */
class AccountLifecycleIT extends IntegrationTest {

    private static final String PASSWORD = "correct horse battery";

    @Autowired
    private JdbcClient jdbc;

    @Autowired
    private StringRedisTemplate redis;

    @Autowired
    private ApiKeyManagement apiKeys;

    @Test
    void anAccountSeesAndCallsOnlyTheModelsAnAdminAllowedIt() {
        var admin = api().admin();
        var user = api().register();
        var key = key(user, "{\"name\":\"client\"}");

        var set = api().send(
                        "PUT",
                        "/api/admin/users/" + user.id() + "/entitlements",
                        admin.token(),
                        "{\"models\":[\"test-model\",\"local\"]}",
                        Map.of());
        var listed = names(api().get("/v1/models", key).json().path("data"), "id");
        var conversationModels = api().get("/api/models", user.token()).json();
        var refused = chat(key, "test-backup");
        var allowed = chat(key, "test-model");
        var conversation = api().post("/api/conversations", user.token(), "{\"model\":\"lonely\"}")
                .json()
                .path("id")
                .asString();
        var turn = api().post("/api/conversations/" + conversation + "/messages", user.token(), "{\"content\":\"hi\"}");

        assertThat(set.status()).isEqualTo(200);
        assertThat(set.json().path("models").toString()).isEqualTo("[\"test-model\",\"local\"]");
        assertThat(listed).containsExactlyInAnyOrder("test-model", "local");
        assertThat(names(conversationModels.path("items"), "name")).containsExactlyInAnyOrder("test-model", "local");
        assertThat(conversationModels.path("items").findValues("fallbacks").toString())
                .as("a fallback the account may not use is not offered")
                .doesNotContain("test-backup");
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.json().path("error").path("code").asString()).isEqualTo("model_not_allowed");
        assertThat(refused.json().path("error").path("param").asString()).isEqualTo("model");
        assertThat(refused.json().path("error").path("message").asString()).contains("'test-backup'");
        assertThat(allowed.status()).isEqualTo(200);
        assertThat(turn.status()).isEqualTo(403);
        assertThat(turn.json().path("type").asString()).endsWith("model-not-allowed");
        assertThat(turn.json().path("model").asString()).isEqualTo("lonely");
        assertThat(api().get("/api/conversations/" + conversation + "/messages", user.token())
                        .json()
                        .path("items"))
                .as("a refused turn stores no message")
                .isEmpty();

        var reset = api().send("PUT", "/api/admin/users/" + user.id() + "/entitlements", admin.token(), "{}", Map.of());
        assertThat(reset.json().path("models").isNull()).isTrue();
        assertThat(chat(key, "test-backup").status()).isEqualTo(200);
    }

    @Test
    void anApiKeyNarrowsItsOwnersModelsAndShowsWhenItWasLastUsed() {
        var user = api().register();
        var created = api().post(
                        "/api/api-keys",
                        user.token(),
                        "{\"name\":\"narrow\",\"models\":[\"test-model\",\"test-model\"]}");
        var key = created.json().path("key").asString();
        var unknown = api().post("/api/api-keys", user.token(), "{\"name\":\"bad\",\"models\":[\"gpt-17\"]}");

        var listed = names(api().get("/v1/models", key).json().path("data"), "id");
        var refused = chat(key, "test-backup");
        var used = chat(key, "test-model");
        apiKeys.recordLastUses();
        var keys = api().get("/api/api-keys", user.token()).json().path("items");

        assertThat(created.status()).isEqualTo(201);
        assertThat(created.json().path("models").toString()).isEqualTo("[\"test-model\"]");
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.json().path("detail").asString()).contains("gpt-17");
        assertThat(listed).containsExactly("test-model");
        assertThat(refused.status()).isEqualTo(403);
        assertThat(used.status()).isEqualTo(200);
        assertThat(keys.get(0).path("lastUsedAt").isString()).isTrue();
        assertThat(names(api().get("/api/models", user.token()).json().path("items"), "name"))
                .as("the account itself keeps every model")
                .contains("test-backup");
    }

    @Test
    void anAdminGivesOneAccountABudgetOfItsOwn() {
        var admin = api().admin();
        var user = api().register();
        var key = key(user, "{\"name\":\"client\"}");

        api().send(
                        "PUT",
                        "/api/admin/users/" + user.id() + "/entitlements",
                        admin.token(),
                        "{\"monthlyBudgetUsd\":0.000001}",
                        Map.of());
        var refused = chat(key, "test-model");
        var budget = api().get("/api/usage/budget", user.token()).json();
        var seenByAdmin = api().get("/api/admin/users/" + user.id() + "/budget", admin.token());
        var negative = api().send(
                        "PUT",
                        "/api/admin/users/" + user.id() + "/entitlements",
                        admin.token(),
                        "{\"monthlyBudgetUsd\":-1}",
                        Map.of());

        assertThat(refused.status()).isEqualTo(402);
        assertThat(new BigDecimal(budget.path("limitUsd").asString())).isEqualByComparingTo("0.000001");
        assertThat(seenByAdmin.status()).isEqualTo(200);
        assertThat(new BigDecimal(seenByAdmin.json().path("limitUsd").asString()))
                .isEqualByComparingTo("0.000001");
        assertThat(negative.status()).isEqualTo(422);
        assertThat(api().get("/api/admin/users/" + user.id() + "/budget", user.token())
                        .status())
                .isEqualTo(403);
    }

    @Test
    void changingThePasswordEndsEveryOtherSession() {
        var user = api().register();
        var other = login(user.email(), PASSWORD);

        var wrong = api().post(
                        "/api/me/password",
                        user.token(),
                        "{\"currentPassword\":\"not it at all\",\"newPassword\":\"a brand new passphrase\"}");
        var changed = api().post(
                        "/api/me/password",
                        user.token(),
                        "{\"currentPassword\":\"" + PASSWORD + "\",\"newPassword\":\"a brand new passphrase\"}");

        assertThat(wrong.status()).isEqualTo(403);
        assertThat(wrong.json().path("type").asString()).endsWith("wrong-password");
        assertThat(changed.status()).isEqualTo(204);
        assertThat(api().get("/api/me", other).status())
                .as("the other session ended")
                .isEqualTo(401);
        assertThat(api().get("/api/me", user.token()).status())
                .as("this one stays")
                .isEqualTo(200);
        assertThat(loginStatus(user.email(), PASSWORD)).isEqualTo(401);
        assertThat(loginStatus(user.email(), "a brand new passphrase")).isEqualTo(200);
    }

    @Test
    void anExportHoldsEverythingTheAccountOwns() throws IOException {
        var user = api().register();
        var stranger = api().register();
        var conversation = api().post("/api/conversations", user.token(), "{\"title\":\"Trip to Lisbon\"}")
                .json()
                .path("id")
                .asString();
        api().post(
                        "/api/conversations/" + conversation + "/messages",
                        user.token(),
                        "{\"content\":\"pastel de nata\"}");
        api().post("/api/conversations", stranger.token(), "{\"title\":\"Not yours\"}");
        var notes = "Lisbon has seven hills and yellow trams.".getBytes(StandardCharsets.UTF_8);
        var document = api().upload("/api/documents", user.token(), "notes.txt", notes)
                .json()
                .path("id")
                .asString();
        awaitReady(user, document);
        var key = key(user, "{\"name\":\"laptop\"}");
        chat(key, "test-model");

        var export = api().download("/api/me/export", user.token());
        var entries = unzip(export.body());

        assertThat(export.status()).isEqualTo(200);
        assertThat(export.headers().get("content-type")).isEqualTo("application/zip");
        assertThat(export.headers().get("content-disposition")).startsWith("attachment; filename=\"colloquy-export-");
        assertThat(entries).containsKeys("README.txt", "account.json", "api-keys.json", "usage.jsonl");
        assertThat(text(entries, "account.json")).contains(user.email());
        assertThat(text(entries, "api-keys.json")).contains("laptop").doesNotContain(key);
        assertThat(text(entries, "conversations.jsonl"))
                .contains("Trip to Lisbon")
                .doesNotContain("Not yours");
        assertThat(text(entries, "messages.jsonl")).contains("pastel de nata");
        assertThat(text(entries, "documents.jsonl")).contains("notes.txt");
        assertThat(text(entries, "documents/" + document + "/passages.jsonl")).contains("yellow trams");
        assertThat(text(entries, "usage.jsonl").lines()).anyMatch(line -> line.contains("\"test-model\""));
    }

    @Test
    void deletingAnAccountLeavesNothingOfItButTheLedgersAnonymousAmounts() {
        var user = api().register();
        var conversation = api().post(
                        "/api/conversations",
                        user.token(),
                        "{\"title\":\"secret plans\"}",
                        Map.of("Idempotency-Key", UUID.randomUUID().toString()))
                .json()
                .path("id")
                .asString();
        api().post("/api/conversations/" + conversation + "/messages", user.token(), "{\"content\":\"remember me\"}");
        api().get("/api/conversations/" + conversation, user.token()); // cached now
        api().get("/api/conversations", user.token());
        var document = api().upload(
                        "/api/documents",
                        user.token(),
                        "plans.txt",
                        "The plans are secret.".getBytes(StandardCharsets.UTF_8))
                .json()
                .path("id")
                .asString();
        awaitReady(user, document);
        api().get("/api/documents/" + document, user.token());
        var key = key(user, "{\"name\":\"client\"}");
        var cachedCall =
                "{\"model\":\"test-model\",\"temperature\":0,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        api().post("/v1/chat/completions", key, cachedCall);
        assertThat(api().post("/v1/chat/completions", key, cachedCall).header("X-Colloquy-Cache"))
                .isEqualTo("hit");
        api().get("/api/usage/budget", user.token());
        var other = login(user.email(), PASSWORD);
        awaitLedger(user.id(), 3); // the turn, the call and its cached replay
        var before = ledgerTotals();
        assertThat(whereItStands(user))
                .as("the account's traces before it is deleted")
                .isNotEmpty();

        var wrong = api().send("DELETE", "/api/me", user.token(), "{\"password\":\"not my password\"}", Map.of());
        var deleted = api().send("DELETE", "/api/me", user.token(), "{\"password\":\"" + PASSWORD + "\"}", Map.of());

        assertThat(wrong.status()).isEqualTo(403);
        assertThat(deleted.status()).isEqualTo(204);
        assertThat(whereItStands(user))
                .as("rows and Redis keys naming the account")
                .isEmpty();
        assertThat(ledgerTotals())
                .as("the ledger's amounts are all still there")
                .isEqualTo(before);
        assertThat(api().get("/api/me", user.token()).status()).isEqualTo(401);
        assertThat(api().get("/api/me", other).status()).isEqualTo(401);
        assertThat(api().get("/v1/models", key).status()).isEqualTo(401);
        assertThat(loginStatus(user.email(), PASSWORD)).isEqualTo(401);
        var audit = api().get("/api/admin/audit", api().admin().token()).json().path("items");
        assertThat(audit.get(0).path("action").asString()).isEqualTo("account.deleted");
        assertThat(audit.get(0).path("actorId").isNull()).isTrue();
        assertThat(api().register(user.email()).id())
                .as("the email can sign up again, as a new account")
                .isNotEqualTo(user.id());
    }

    @Test
    void anAdminDeletesAnAccountAndItsKeysStopAtOnce() {
        var admin = api().admin();
        var user = api().register();
        var key = key(user, "{\"name\":\"client\"}");
        assertThat(api().get("/v1/models", key).status()).isEqualTo(200);

        var deleted = api().send(
                        "DELETE",
                        "/api/admin/users/" + user.id(),
                        admin.token(),
                        "{\"reason\":\"asked by email\"}",
                        Map.of());
        var byUser = api().send("DELETE", "/api/admin/users/" + admin.id(), user.token(), null, Map.of());

        assertThat(deleted.status()).isEqualTo(204);
        assertThat(api().get("/v1/models", key).status()).isEqualTo(401);
        assertThat(api().get("/api/me", user.token()).status()).isEqualTo(401);
        assertThat(byUser.status()).isEqualTo(401);
        assertThat(api().send("DELETE", "/api/admin/users/" + user.id(), admin.token(), null, Map.of())
                        .status())
                .isEqualTo(404);
        var audit = api().get("/api/admin/audit", admin.token()).json().path("items");
        assertThat(audit.get(0).path("action").asString()).isEqualTo("account.deleted");
        assertThat(audit.get(0).path("actorId").asString()).isEqualTo(admin.id().toString());
        assertThat(audit.get(0).path("detail").path("reason").asString()).isEqualTo("asked by email");
    }

    /** Every table row (as text) and every Redis key or value of this test run that names the account. */
    private List<String> whereItStands(Api.Account user) {
        var found = new ArrayList<String>();
        var needles = List.of(user.id().toString(), user.email());
        var tables = jdbc.sql("""
                        select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
                         where n.nspname = current_schema() and c.relkind in ('r', 'p') and not c.relispartition
                           and c.relname <> 'flyway_schema_history'
                        """).query(String.class).list();
        for (var table : tables) {
            for (var needle : needles) {
                long rows = jdbc.sql("select count(*) from " + table + " t where strpos(t::text, :needle) > 0")
                        .param("needle", needle)
                        .query(Long.class)
                        .single();
                if (rows > 0) {
                    found.add(table + " has " + rows + " row(s) with " + needle);
                }
            }
        }
        var options = ScanOptions.scanOptions()
                .match(TestRedis.get().prefix() + ":*")
                .count(1000)
                .build();
        try (var keys = redis.scan(options)) {
            keys.forEachRemaining(redisKey -> {
                var value = valueOf(redisKey);
                for (var needle : needles) {
                    if (redisKey.contains(needle) || value.contains(needle)) {
                        found.add("Redis " + redisKey + " names " + needle);
                    }
                }
            });
        }
        return found;
    }

    private String valueOf(String redisKey) {
        var type = redis.type(redisKey);
        if (type == null) {
            return "";
        }
        return switch (type.code()) {
            case "string" -> String.valueOf(redis.opsForValue().get(redisKey));
            case "hash" -> String.valueOf(redis.opsForHash().entries(redisKey));
            case "set" -> String.valueOf(redis.opsForSet().members(redisKey));
            case "zset" -> String.valueOf(redis.opsForZSet().range(redisKey, 0, -1));
            case "list" -> String.valueOf(redis.opsForList().range(redisKey, 0, -1));
            default -> "";
        };
    }

    /** Waits until the ledger has written the account's calls (free ones are written in batches). */
    private void awaitLedger(UUID userId, long calls) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        long written;
        do {
            written = jdbc.sql("select count(*) from llm_usage where user_id = :id")
                    .param("id", userId)
                    .query(Long.class)
                    .single();
        } while (written < calls && System.nanoTime() < deadline);
        assertThat(written).isEqualTo(calls);
    }

    private Map<String, Object> ledgerTotals() {
        return jdbc.sql("select count(*) as calls, coalesce(sum(cost_usd), 0) as cost from llm_usage")
                .query((rs, row) ->
                        Map.<String, Object>of("calls", rs.getLong("calls"), "cost", rs.getBigDecimal("cost")))
                .single();
    }

    private Api.Response chat(String key, String model) {
        return api().post(
                        "/v1/chat/completions",
                        key,
                        "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}");
    }

    private String key(Api.Account account, String body) {
        var created = api().post("/api/api-keys", account.token(), body);
        assertThat(created.status()).isEqualTo(201);
        return created.json().path("key").asString();
    }

    private String login(String email, String password) {
        var response =
                api().post("/api/auth/login", null, "{\"email\":\"" + email + "\",\"password\":\"" + password + "\"}");
        assertThat(response.status()).isEqualTo(200);
        return response.json().path("token").asString();
    }

    private int loginStatus(String email, String password) {
        return api().post("/api/auth/login", null, "{\"email\":\"" + email + "\",\"password\":\"" + password + "\"}")
                .status();
    }

    private void awaitReady(Api.Account account, String id) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            var status = api().get("/api/documents/" + id, account.token())
                    .json()
                    .path("status")
                    .asString();
            if (!status.equals("processing")) {
                assertThat(status).isEqualTo("ready");
                return;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new AssertionError("document " + id + " still processing after 60 s");
    }

    private static List<String> names(JsonNode items, String field) {
        var names = new ArrayList<String>();
        items.forEach(item -> names.add(item.path(field).asString()));
        return names;
    }

    private static Map<String, byte[]> unzip(byte[] archive) throws IOException {
        var entries = new LinkedHashMap<String, byte[]>();
        try (var zip = new ZipInputStream(new ByteArrayInputStream(archive))) {
            for (var entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                entries.put(entry.getName(), zip.readAllBytes());
            }
        }
        return entries;
    }

    private static String text(Map<String, byte[]> entries, String name) {
        assertThat(entries).containsKey(name);
        return new String(entries.get(name), StandardCharsets.UTF_8);
    }
}
