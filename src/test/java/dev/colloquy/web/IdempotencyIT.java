package dev.colloquy.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.colloquy.IntegrationTest;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class IdempotencyIT extends IntegrationTest {

    @Test
    void retriedPostReturnsTheFirstResultAndCreatesNothingTwice() {
        var account = api().register();
        var key = Map.of("Idempotency-Key", UUID.randomUUID().toString());

        var first = api().post("/api/conversations", account.token(), "{\"title\":\"once\"}", key);
        var retry = api().post("/api/conversations", account.token(), "{\"title\":\"once\"}", key);
        var list = api().get("/api/conversations", account.token()).json();

        assertThat(first.status()).isEqualTo(201);
        assertThat(retry.status()).isEqualTo(201);
        assertThat(retry.body()).isEqualTo(first.body());
        assertThat(retry.header("Location")).isEqualTo(first.header("Location"));
        assertThat(retry.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(list.get("items").size()).isEqualTo(1);
    }

    @Test
    void retriedMessagePostAppendsOnce() {
        var account = api().register();
        var id = api().post("/api/conversations", account.token(), "{}")
                .json()
                .get("id")
                .asString();
        var key = Map.of("Idempotency-Key", "append-" + UUID.randomUUID());

        var first =
                api().post("/api/conversations/" + id + "/messages", account.token(), "{\"content\":\"hello\"}", key);
        var retry =
                api().post("/api/conversations/" + id + "/messages", account.token(), "{\"content\":\"hello\"}", key);

        assertThat(retry.body()).isEqualTo(first.body());
        assertThat(api().get("/api/conversations/" + id, account.token())
                        .json()
                        .get("messageCount")
                        .asInt())
                .as("one turn: the message and one answer")
                .isEqualTo(2);
    }

    @Test
    void aRetriedUploadIsReplayedAndTheKeyReusedForAnotherFileIsRefused() {
        var account = api().register();
        var key = Map.of("Idempotency-Key", UUID.randomUUID().toString());
        var file = "# Backups\n\nNightly at two.".getBytes(java.nio.charset.StandardCharsets.UTF_8);

        var first = api().postForm("/api/documents", account.token(), Map.of(), "file", List.of(file), "b.md", key);
        var retried = api().postForm("/api/documents", account.token(), Map.of(), "file", List.of(file), "b.md", key);
        var other = api().postForm(
                        "/api/documents",
                        account.token(),
                        Map.of(),
                        "file",
                        List.of("# Restores".getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                        "r.md",
                        key);

        assertThat(first.status()).as(first.body()).isEqualTo(202);
        assertThat(retried.status()).as("the first answer, replayed").isEqualTo(202);
        assertThat(retried.json().get("id").asString())
                .isEqualTo(first.json().get("id").asString());
        assertThat(other.status()).isEqualTo(422);
        assertThat(other.json().get("type").asString()).isEqualTo("urn:colloquy:problem:idempotency-key-reused");
    }

    @Test
    void keyReusedForADifferentRequestIsRefused() {
        var account = api().register();
        var key = Map.of("Idempotency-Key", UUID.randomUUID().toString());
        api().post("/api/conversations", account.token(), "{\"title\":\"first\"}", key);

        var reused = api().post("/api/conversations", account.token(), "{\"title\":\"second\"}", key);

        assertThat(reused.status()).isEqualTo(422);
        assertThat(reused.json().get("type").asString()).isEqualTo("urn:colloquy:problem:idempotency-key-reused");
    }

    @Test
    void keysAreScopedToTheUser() {
        var alice = api().register();
        var bob = api().register();
        var key = Map.of("Idempotency-Key", UUID.randomUUID().toString());

        var mine = api().post("/api/conversations", alice.token(), "{\"title\":\"alice\"}", key);
        var theirs = api().post("/api/conversations", bob.token(), "{\"title\":\"alice\"}", key);

        assertThat(theirs.status()).isEqualTo(201);
        assertThat(theirs.header("Idempotent-Replayed")).isNull();
        assertThat(theirs.json().get("id").asString())
                .isNotEqualTo(mine.json().get("id").asString());
    }

    @Test
    void failedRequestDoesNotBurnTheKey() {
        var account = api().register();
        var key = Map.of("Idempotency-Key", UUID.randomUUID().toString());
        var path = "/api/conversations/" + UUID.randomUUID() + "/messages";

        var first = api().post(path, account.token(), "{\"content\":\"x\"}", key);
        var second = api().post(path, account.token(), "{\"content\":\"x\"}", key);

        assertThat(first.status()).isEqualTo(404);
        assertThat(second.status()).isEqualTo(404);
    }

    @Test
    void malformedKeyIsRejected() {
        var account = api().register();

        var response =
                api().post("/api/conversations", account.token(), "{}", Map.of("Idempotency-Key", "x".repeat(300)));

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.contentType()).startsWith("application/problem+json");
    }
}
