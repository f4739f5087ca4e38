package dev.colloquy.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.colloquy.Api;
import dev.colloquy.IntegrationTest;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class ConversationIT extends IntegrationTest {

    @Test
    void startsAConversationWithDefaults() {
        var account = api().register();

        var created = api().post("/api/conversations", account.token(), "{}");

        assertThat(created.status()).isEqualTo(201);
        assertThat(created.header("Location"))
                .isEqualTo("/api/conversations/" + created.json().get("id").asString());
        assertThat(created.json().get("title").asString()).isEqualTo("New conversation");
        assertThat(created.json().get("messageCount").asInt()).isZero();
    }

    @Test
    void renamesAndDeletes() {
        var account = api().register();
        var id = start(account, "Draft");

        var renamed = api().patch(
                        "/api/conversations/" + id,
                        account.token(),
                        "{\"title\":\"Final\",\"systemPrompt\":\"Be brief\"}");
        var deleted = api().delete("/api/conversations/" + id, account.token());
        var gone = api().get("/api/conversations/" + id, account.token());

        assertThat(renamed.json().get("title").asString()).isEqualTo("Final");
        assertThat(renamed.json().get("systemPrompt").asString()).isEqualTo("Be brief");
        assertThat(deleted.status()).isEqualTo(204);
        assertThat(gone.status()).isEqualTo(404);
    }

    @Test
    void anotherUsersConversationIsNotFoundForEveryOperation() {
        var owner = api().register();
        var intruder = api().register();
        var id = start(owner, "Private");
        post(owner, id, "my secret plans");
        var path = "/api/conversations/" + id;

        assertThat(api().get(path, intruder.token()).status()).isEqualTo(404);
        assertThat(api().patch(path, intruder.token(), "{\"title\":\"pwned\"}").status())
                .isEqualTo(404);
        assertThat(api().delete(path, intruder.token()).status()).isEqualTo(404);
        assertThat(api().get(path + "/messages", intruder.token()).status()).isEqualTo(404);
        assertThat(api().post(path + "/messages", intruder.token(), "{\"content\":\"hi\"}")
                        .status())
                .isEqualTo(404);
        assertThat(api().get("/api/search?q=secret", intruder.token())
                        .json()
                        .get("items")
                        .size())
                .isZero();

        var untouched = api().get(path, owner.token()).json();
        assertThat(untouched.get("title").asString()).isEqualTo("Private");
        assertThat(untouched.get("messageCount").asInt()).isEqualTo(1);
    }

    @Test
    void pagesThroughConversationsNewestActivityFirstWithoutGapsOrRepeats() {
        var account = api().register();
        var ids = new ArrayList<String>();
        for (int i = 0; i < 7; i++) {
            ids.add(start(account, "c" + i));
        }
        post(account, ids.get(2), "bump");

        var seen = new ArrayList<String>();
        String cursor = null;
        int pages = 0;
        do {
            var page = api().get(
                            "/api/conversations?limit=3" + (cursor == null ? "" : "&cursor=" + cursor), account.token())
                    .json();
            page.get("items").forEach(item -> seen.add(item.get("id").asString()));
            cursor = page.get("nextCursor").isNull()
                    ? null
                    : page.get("nextCursor").asString();
            pages++;
        } while (cursor != null);

        var expected = new ArrayList<>(ids.reversed());
        expected.remove(ids.get(2));
        expected.addFirst(ids.get(2));
        assertThat(seen).containsExactlyElementsOf(expected);
        assertThat(pages).isEqualTo(3);
    }

    @Test
    void cursorOfAnotherUserOrListIsRejected() {
        var alice = api().register();
        var bob = api().register();
        for (int i = 0; i < 3; i++) {
            start(alice, "a" + i);
        }
        var cursor = api().get("/api/conversations?limit=1", alice.token())
                .json()
                .get("nextCursor")
                .asString();

        var stolen = api().get("/api/conversations?limit=1&cursor=" + cursor, bob.token());
        var elsewhere = api().get("/api/search?q=x&cursor=" + cursor, alice.token());

        assertThat(stolen.status()).isEqualTo(400);
        assertThat(stolen.json().get("type").asString()).isEqualTo("urn:colloquy:problem:invalid-cursor");
        assertThat(elsewhere.status()).isEqualTo(400);
    }

    @Test
    void messagesComeOldestFirstAcrossPages() {
        var account = api().register();
        var id = start(account, "Chat");
        for (int i = 1; i <= 5; i++) {
            post(account, id, "message " + i);
        }

        var first = api().get("/api/conversations/" + id + "/messages?limit=3", account.token())
                .json();
        var second = api().get(
                        "/api/conversations/" + id + "/messages?limit=3&cursor="
                                + first.get("nextCursor").asString(),
                        account.token())
                .json();

        assertThat(contents(first)).containsExactly("message 1", "message 2", "message 3");
        assertThat(contents(second)).containsExactly("message 4", "message 5");
        assertThat(second.get("nextCursor").isNull()).isTrue();
        assertThat(second.get("items").get(1).get("seq").asInt()).isEqualTo(5);
    }

    @Test
    void importsABatchAfterExistingMessagesInOrder() {
        var account = api().register();
        var id = start(account, "Imported");
        post(account, id, "before the import");
        var batch = new StringBuilder("{\"messages\":[");
        for (int i = 0; i < 1000; i++) {
            batch.append(i == 0 ? "" : ",")
                    .append("{\"role\":\"")
                    .append(i % 2 == 0 ? "user" : "assistant")
                    .append("\",\"content\":\"line ")
                    .append(i)
                    .append(" with\\ttab and \\\\ backslash\\n\"}");
        }
        batch.append("]}");

        var imported = api().post("/api/conversations/" + id + "/messages/import", account.token(), batch.toString());
        var page = api().get("/api/conversations/" + id + "/messages?limit=3", account.token())
                .json();
        var conversation =
                api().get("/api/conversations/" + id, account.token()).json();

        assertThat(imported.status()).isEqualTo(201);
        assertThat(imported.json().get("firstSeq").asInt()).isEqualTo(2);
        assertThat(imported.json().get("lastSeq").asInt()).isEqualTo(1001);
        assertThat(contents(page))
                .containsExactly(
                        "before the import",
                        "line 0 with\ttab and \\ backslash\n",
                        "line 1 with\ttab and \\ backslash\n");
        assertThat(conversation.get("messageCount").asInt()).isEqualTo(1001);
    }

    @Test
    void searchFindsWordsInOwnMessagesAndTreatsOperatorsAsText() {
        var account = api().register();
        var id = start(account, "Databases");
        post(account, id, "Partitioning tables keeps PostgreSQL indexes small");
        post(account, id, "Something unrelated about cooking");

        var hits =
                api().get("/api/search?q=partitioned%20index", account.token()).json();
        var hostile = api().get("/api/search?q=%25'%20OR%201%3D1%20--%20_%5C", account.token());

        assertThat(hits.get("items").size()).isEqualTo(1);
        assertThat(hits.get("items").get(0).get("snippet").asString()).contains("«Partitioning»");
        assertThat(hits.get("items").get(0).get("conversationTitle").asString()).isEqualTo("Databases");
        assertThat(hostile.status()).isEqualTo(200);
        assertThat(hostile.json().get("items").size()).isZero();
    }

    @Test
    void rejectsOutOfRangeLimitsAndEmptyContent() {
        var account = api().register();
        var id = start(account, "Limits");

        assertThat(api().get("/api/conversations?limit=0", account.token()).status())
                .isEqualTo(400);
        assertThat(api().get("/api/conversations?limit=101", account.token()).status())
                .isEqualTo(400);
        assertThat(api().get("/api/conversations?limit=abc", account.token()).status())
                .isEqualTo(400);
        assertThat(api().post("/api/conversations/" + id + "/messages", account.token(), "{\"content\":\"  \"}")
                        .status())
                .isEqualTo(422);
        assertThat(api().post("/api/conversations/" + id + "/messages", account.token(), "{\"content\":\"a\\u0000b\"}")
                        .status())
                .isEqualTo(422);
        assertThat(api().get("/api/conversations/" + UUID.randomUUID(), account.token())
                        .status())
                .isEqualTo(404);
    }

    private String start(Api.Account account, String title) {
        var response = api().post("/api/conversations", account.token(), "{\"title\":\"" + title + "\"}");
        assertThat(response.status()).isEqualTo(201);
        return response.json().get("id").asString();
    }

    /** Appends one user message, without a model turn. */
    private void post(Api.Account account, String conversationId, String content) {
        var response = api().post(
                        "/api/conversations/" + conversationId + "/messages/import",
                        account.token(),
                        "{\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]}");
        assertThat(response.status()).isEqualTo(201);
    }

    private static List<String> contents(JsonNode page) {
        var contents = new ArrayList<String>();
        page.get("items").forEach(item -> contents.add(item.get("content").asString()));
        return contents;
    }
}
