package dev.colloquy.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.colloquy.Api;
import dev.colloquy.FakeUpstream;
import dev.colloquy.FakeUpstream.Reply;
import dev.colloquy.IntegrationTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Edit and regenerate: a conversation becomes a tree of messages; the page reads the selected path,
 * each message with its siblings; the model is sent that path and nothing of the other branches.
 */
class BranchesIT extends IntegrationTest {

    private final FakeUpstream upstream = FakeUpstream.get();

    @Autowired
    JdbcClient jdbc;

    @Test
    void anEditedQuestionKeepsTheOldVersionAndTheModelSeesOnlyTheSelectedPath() {
        var account = api().register();
        var id = start(account);
        var first = turn(account, id, "{\"content\":\"Which port does Redis use?\"}");
        var second = turn(account, id, "{\"content\":\"And PostgreSQL?\"}");
        var q2 = second.get("userMessage").get("id").asString();

        var edited = turn(account, id, "{\"content\":\"And Sentinel?\",\"editOf\":\"" + q2 + "\"}");

        assertThat(edited.get("assistantMessage").get("content").asString()).isEqualTo("You said: And Sentinel?.");
        assertThat(sentToTheModel())
                .containsExactly(
                        "user: Which port does Redis use?",
                        "assistant: You said: Which port does Redis use?.",
                        "user: And Sentinel?");
        var path = path(account, id);
        assertThat(contents(path))
                .containsExactly(
                        "Which port does Redis use?",
                        "You said: Which port does Redis use?.",
                        "And Sentinel?",
                        "You said: And Sentinel?.");
        var newVersion = edited.get("userMessage").get("id").asString();
        assertThat(ids(path.get(2).get("siblings"))).containsExactly(q2, newVersion);
        assertThat(path.get(2).get("parentSeq").asInt())
                .isEqualTo(first.get("assistantMessage").get("seq").asInt());
        assertThat(path.get(0).get("siblings").size()).isZero();
        assertThat(path.get(3).get("siblings").size())
                .as("the new answer is its question's only one")
                .isZero();

        var select = api().post("/api/conversations/" + id + "/messages/" + q2 + "/select", account.token(), "");
        assertThat(select.status()).isEqualTo(204);
        assertThat(contents(path(account, id)))
                .containsExactly(
                        "Which port does Redis use?",
                        "You said: Which port does Redis use?.",
                        "And PostgreSQL?",
                        "You said: And PostgreSQL?.");

        // a turn on the old branch goes on from its end, and sees that branch only
        turn(account, id, "{\"content\":\"Thanks\"}");
        assertThat(sentToTheModel()).contains("user: And PostgreSQL?").doesNotContain("user: And Sentinel?");
        assertThat(contents(path(account, id))).hasSize(6).endsWith("Thanks", "You said: Thanks.");

        // every version stays searchable
        var hits = api().get("/api/search?q=Sentinel", account.token()).json().get("items");
        assertThat(hits.size()).isEqualTo(2);
    }

    @Test
    void aRegeneratedAnswerIsANewCallBesideTheOldAnswer() {
        var account = api().register();
        var id = start(account);
        upstream.script("lonely", Reply.stream("Port ", "6379."), Reply.stream("It is ", "6379."));
        int calls = upstream.calls("lonely");
        var turn = turn(account, id, "{\"content\":\"Which port does Redis use?\"}");
        var old = turn.get("assistantMessage").get("id").asString();

        var response = api().post(
                        "/api/conversations/" + id + "/messages/" + old + "/regenerate",
                        account.token(),
                        "",
                        Map.of("Accept", "text/event-stream"));

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).contains("event: token", "event: done").doesNotContain("event: user_message");
        assertThat(upstream.calls("lonely")).isEqualTo(calls + 2);
        assertThat(sentToTheModel()).containsExactly("user: Which port does Redis use?");
        var path = path(account, id);
        assertThat(contents(path)).containsExactly("Which port does Redis use?", "It is 6379.");
        assertThat(path.get(1).get("siblings").size()).isEqualTo(2);
        assertThat(ids(path.get(1).get("siblings")).getFirst()).isEqualTo(old);

        // regenerating from the question gives a third answer, as JSON this time
        var third = api().post(
                        "/api/conversations/" + id + "/messages/"
                                + path.get(0).get("id").asString() + "/regenerate",
                        account.token(),
                        "");
        assertThat(third.status()).isEqualTo(200);
        assertThat(third.json().get("userMessage").get("content").asString()).isEqualTo("Which port does Redis use?");
        assertThat(path(account, id).get(1).get("siblings").size()).isEqualTo(3);
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(api().get("/api/usage", account.token())
                                .json()
                                .get("totals")
                                .get("calls")
                                .asLong())
                        .as("each answer billed")
                        .isEqualTo(3));
    }

    @Test
    void wrongTargetsAreClearProblemsAndAnotherUsersMessagesDoNotExist() {
        var account = api().register();
        var id = start(account);
        var turn = turn(account, id, "{\"content\":\"hello\"}");
        var answer = turn.get("assistantMessage").get("id").asString();

        var editAnswer = api().post(
                        "/api/conversations/" + id + "/messages",
                        account.token(),
                        "{\"content\":\"x\",\"editOf\":\"" + answer + "\"}");
        assertThat(editAnswer.status()).isEqualTo(422);
        assertThat(editAnswer.json().get("type").asString()).isEqualTo("urn:colloquy:problem:wrong-message-role");

        var unknown = UUID.randomUUID();
        for (var path : List.of(
                "/api/conversations/" + id + "/messages/" + unknown + "/regenerate",
                "/api/conversations/" + id + "/messages/" + unknown + "/select")) {
            var response = api().post(path, account.token(), "");
            assertThat(response.status()).as(path).isEqualTo(404);
            assertThat(response.contentType()).startsWith("application/problem+json");
        }
        var notANumber = api().post("/api/conversations/" + id + "/messages/nope/select", account.token(), "");
        assertThat(notANumber.status()).isEqualTo(400);

        var stranger = api().register();
        for (var path : List.of(
                "/api/conversations/" + id + "/messages/" + answer + "/regenerate",
                "/api/conversations/" + id + "/messages/" + answer + "/select")) {
            assertThat(api().post(path, stranger.token(), "").status()).as(path).isEqualTo(404);
        }
        var strangers = start(stranger);
        var crossEdit = api().post(
                        "/api/conversations/" + strangers + "/messages",
                        stranger.token(),
                        "{\"content\":\"x\",\"editOf\":\""
                                + turn.get("userMessage").get("id").asString() + "\"}");
        assertThat(crossEdit.status()).isEqualTo(404);
        assertThat(contents(path(account, id))).containsExactly("hello", "You said: hello.");
    }

    @Test
    void aConversationStoredBeforeBranchesIsOnePathAndBranchesOnItsFirstEdit() {
        var account = api().register();
        var id = start(account);
        turn(account, id, "{\"content\":\"one\"}");
        turn(account, id, "{\"content\":\"two\"}");
        // as the rows were before migration 19: no parents, no selected end
        jdbc.sql("update messages set parent_seq = null where conversation_id = :id")
                .param("id", UUID.fromString(id))
                .update();
        jdbc.sql("update conversations set leaf_seq = null, branched = false where id = :id")
                .param("id", UUID.fromString(id))
                .update();

        var path = path(account, id);
        assertThat(contents(path)).containsExactly("one", "You said: one.", "two", "You said: two.");
        assertThat(path).extracting(m -> m.get("parentSeq").asInt()).containsExactly(0, 1, 2, 3);

        turn(
                account,
                id,
                "{\"content\":\"two, again\",\"editOf\":\""
                        + path.get(2).get("id").asString() + "\"}");
        assertThat(contents(path(account, id)))
                .containsExactly("one", "You said: one.", "two, again", "You said: two, again.");
        assertThat(sentToTheModel()).containsExactly("user: one", "assistant: You said: one.", "user: two, again");
    }

    private String start(Api.Account account) {
        return api().post("/api/conversations", account.token(), "{\"title\":\"Branches\",\"model\":\"lonely\"}")
                .json()
                .get("id")
                .asString();
    }

    private JsonNode turn(Api.Account account, String id, String body) {
        var response = api().post("/api/conversations/" + id + "/messages", account.token(), body);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json();
    }

    private List<JsonNode> path(Api.Account account, String id) {
        var items = api().get("/api/conversations/" + id + "/messages", account.token())
                .json()
                .get("items");
        var list = new ArrayList<JsonNode>();
        items.forEach(list::add);
        return list;
    }

    private static List<String> contents(List<JsonNode> messages) {
        return messages.stream().map(m -> m.get("content").asString()).toList();
    }

    private static List<String> ids(JsonNode array) {
        var list = new ArrayList<String>();
        array.forEach(node -> list.add(node.asString()));
        return list;
    }

    /** The conversation the last call to the upstream model carried, as "role: content". */
    private List<String> sentToTheModel() {
        var list = new ArrayList<String>();
        upstream.lastRequest("lonely")
                .get("messages")
                .forEach(m -> list.add(
                        m.get("role").asString() + ": " + m.get("content").asString()));
        return list;
    }
}
