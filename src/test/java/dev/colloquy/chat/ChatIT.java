package dev.colloquy.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.colloquy.Api;
import dev.colloquy.FakeUpstream;
import dev.colloquy.FakeUpstream.Reply;
import dev.colloquy.IntegrationTest;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChatIT extends IntegrationTest {

    private final FakeUpstream upstream = FakeUpstream.get();

    @Test
    void theBuiltInModelQuotesTheUsersOwnWritingAndSaysWhatItIs() {
        var account = api().register();
        var notes = start(account, "Deployment notes", null);
        api().post(
                        "/api/conversations/" + notes + "/messages/import",
                        account.token(),
                        "{\"messages\":[{\"role\":\"user\",\"content\":\"Our deployment runs three replicas behind Traefik\"}]}");
        var chat = start(account, "Question", null);

        var turn = api().post(
                        "/api/conversations/" + chat + "/messages",
                        account.token(),
                        "{\"content\":\"How many replicas does the deployment run?\"}");

        assertThat(turn.status()).isEqualTo(200);
        var answer = turn.json().get("assistantMessage");
        assertThat(answer.get("content").asString())
                .contains("No generative model is configured", "Traefik", "Deployment notes");
        assertThat(answer.get("model").asString()).isEqualTo("local");
        assertThat(answer.get("status").asString()).isEqualTo("complete");
        assertThat(turn.json().get("usage").get("costUsd").decimalValue()).isEqualByComparingTo(BigDecimal.ZERO);
        assertThat(turn.header("X-Colloquy-Overhead-Ms")).matches("\\d+");
        var messages = api().get("/api/conversations/" + chat + "/messages", account.token())
                .json()
                .get("items");
        assertThat(messages.size()).isEqualTo(2);
        assertThat(messages.get(0).get("role").asString()).isEqualTo("user");
        assertThat(messages.get(1).get("role").asString()).isEqualTo("assistant");
    }

    @Test
    void streamsTheAnswerAsServerSentEventsAndKeepsIt() {
        var account = api().register();
        var id = start(account, "Streaming", "test-model");

        var response = api().post(
                        "/api/conversations/" + id + "/messages",
                        account.token(),
                        "{\"content\":\"ping\"}",
                        Map.of("Accept", "text/event-stream"));

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.contentType()).startsWith("text/event-stream");
        var body = response.body();
        assertThat(body.indexOf("event: user_message")).isLessThan(body.indexOf("event: token"));
        assertThat(body)
                .contains("{\"text\":\"You said: \"}", "{\"text\":\"ping\"}")
                .contains("event: done");
        var stored = api().get("/api/conversations/" + id + "/messages", account.token())
                .json()
                .get("items")
                .get(1);
        assertThat(stored.get("content").asString()).isEqualTo("You said: ping.");
        assertThat(stored.get("model").asString()).isEqualTo("test-model");
        assertThat(stored.get("inputTokens").asInt()).isEqualTo(100);
        assertThat(stored.get("outputTokens").asInt()).isEqualTo(6);
    }

    @Test
    void everyCallIsBilledInTheUsageLedger() {
        var account = api().register();
        var id = start(account, "Billing", "test-model");

        api().post("/api/conversations/" + id + "/messages", account.token(), "{\"content\":\"bill me\"}");

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            var usage = api().get("/api/usage", account.token()).json();
            assertThat(usage.get("days").size()).isEqualTo(1);
            assertThat(usage.get("days").get(0).get("model").asString()).isEqualTo("test-model");
            assertThat(usage.get("totals").get("calls").asLong()).isEqualTo(1);
            assertThat(usage.get("totals").get("inputTokens").asLong()).isEqualTo(100);
            assertThat(usage.get("totals").get("costUsd").decimalValue())
                    .isEqualByComparingTo(new BigDecimal("0.000112"));
        });
    }

    @Test
    void aClientThatLeavesMidStreamKeepsAnIncompleteAnswerAndIsBilledForIt() throws Exception {
        var account = api().register();
        var id = start(account, "Leaving", "lonely");
        upstream.script(
                "lonely",
                Reply.slowChunks(
                        Duration.ofMillis(100),
                        "w1 ",
                        "w2 ",
                        "w3 ",
                        "w4 ",
                        "w5 ",
                        "w6 ",
                        "w7 ",
                        "w8 ",
                        "w9 ",
                        "w10 ",
                        "w11 ",
                        "w12 ",
                        "w13 ",
                        "w14 ",
                        "w15 ",
                        "w16 ",
                        "w17 ",
                        "w18 ",
                        "w19 ",
                        "w20"));

        try (var socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            var body = "{\"content\":\"tell me a long story\"}".getBytes(StandardCharsets.UTF_8);
            var request = "POST /api/conversations/" + id + "/messages HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Authorization: Bearer " + account.token() + "\r\nAccept: text/event-stream\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n";
            socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().write(body);
            socket.getOutputStream().flush();
            var reader = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            int tokens = 0;
            for (var line = reader.readLine(); line != null && tokens < 3; line = reader.readLine()) {
                tokens += line.equals("event: token") ? 1 : 0;
            }
            assertThat(tokens).isEqualTo(3);
        }

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            var items = api().get("/api/conversations/" + id + "/messages", account.token())
                    .json()
                    .get("items");
            assertThat(items.size()).isEqualTo(2);
            assertThat(items.get(1).get("status").asString()).isEqualTo("incomplete");
            assertThat(items.get(1).get("content").asString())
                    .startsWith("w1 w2 w3")
                    .doesNotContain("w20");
        });
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(api().get("/api/usage", account.token())
                                .json()
                                .get("totals")
                                .get("calls")
                                .asLong())
                        .isEqualTo(1));
    }

    @Test
    void anotherUsersConversationIsNotFoundEvenWhenStreaming() {
        var owner = api().register();
        var intruder = api().register();
        var id = start(owner, "Mine", null);

        var json = api().post("/api/conversations/" + id + "/messages", intruder.token(), "{\"content\":\"hi\"}");
        var streamed = api().post(
                        "/api/conversations/" + id + "/messages",
                        intruder.token(),
                        "{\"content\":\"hi\"}",
                        Map.of("Accept", "text/event-stream"));

        assertThat(json.status()).isEqualTo(404);
        assertThat(streamed.status()).isEqualTo(404);
        assertThat(streamed.contentType()).startsWith("application/problem+json");
        assertThat(api().get("/api/conversations/" + id, owner.token())
                        .json()
                        .get("messageCount")
                        .asInt())
                .isZero();
    }

    @Test
    void aMessageTooLongForTheModelsWindowIsRefusedAndNotStored() {
        var account = api().register();
        var id = start(account, "Tiny", "tiny-window");

        var response = api().post(
                        "/api/conversations/" + id + "/messages",
                        account.token(),
                        "{\"content\":\"" + "lorem ipsum dolor sit amet ".repeat(100) + "\"}");

        assertThat(response.status()).isEqualTo(422);
        assertThat(response.json().get("type").asString()).isEqualTo("urn:colloquy:problem:message-too-long");
        assertThat(api().get("/api/conversations/" + id, account.token())
                        .json()
                        .get("messageCount")
                        .asInt())
                .isZero();
    }

    @Test
    void anUpstreamOutageIsARetryableProblemAndTheMessageIsKept() {
        var account = api().register();
        var id = start(account, "Outage", "lonely");
        upstream.script("lonely", Reply.status(503), Reply.status(503), Reply.status(503));

        var response =
                api().post("/api/conversations/" + id + "/messages", account.token(), "{\"content\":\"anyone?\"}");

        assertThat(response.status()).isEqualTo(503);
        assertThat(response.header("Retry-After")).isNotBlank();
        assertThat(response.json().get("type").asString()).isEqualTo("urn:colloquy:problem:model-unavailable");
        var items = api().get("/api/conversations/" + id + "/messages", account.token())
                .json()
                .get("items");
        assertThat(items.size()).isEqualTo(1);
        assertThat(items.get(0).get("content").asString()).isEqualTo("anyone?");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            var totals = api().get("/api/usage", account.token()).json().get("totals");
            assertThat(totals.get("calls").asLong()).isEqualTo(1);
            assertThat(totals.get("failedCalls").asLong()).isEqualTo(1);
            assertThat(totals.get("costUsd").decimalValue()).isEqualByComparingTo(BigDecimal.ZERO);
        });
    }

    @Test
    void aConversationsTemperatureGoesWithEachTurnUntilItIsCleared() {
        var account = api().register();
        var id = api().post(
                        "/api/conversations",
                        account.token(),
                        "{\"title\":\"Warm\",\"model\":\"lonely\",\"temperature\":0.7}")
                .json()
                .get("id")
                .asString();
        api().post("/api/conversations/" + id + "/messages", account.token(), "{\"content\":\"one\"}");
        assertThat(upstream.lastRequest("lonely").get("temperature").asDouble()).isEqualTo(0.7);

        var renamed = api().patch("/api/conversations/" + id, account.token(), "{\"title\":\"Still warm\"}");
        assertThat(renamed.json().get("temperature").asDouble())
                .as("a field not sent stays")
                .isEqualTo(0.7);
        var cooled = api().patch("/api/conversations/" + id, account.token(), "{\"temperature\":0}");
        assertThat(cooled.json().get("temperature").asDouble()).isZero();
        api().post("/api/conversations/" + id + "/messages", account.token(), "{\"content\":\"two\"}");
        assertThat(upstream.lastRequest("lonely").get("temperature").asDouble()).isZero();

        var cleared = api().patch("/api/conversations/" + id, account.token(), "{\"temperature\":null}");
        assertThat(cleared.json().get("temperature").isNull()).isTrue();
        api().post("/api/conversations/" + id + "/messages", account.token(), "{\"content\":\"three\"}");
        assertThat(upstream.lastRequest("lonely").has("temperature"))
                .as("the model's own default")
                .isFalse();

        for (var wrong : List.of("2.5", "-1", "\"warm\"", "[1]")) {
            var refused = api().patch("/api/conversations/" + id, account.token(), "{\"temperature\":" + wrong + "}");
            assertThat(refused.status()).as(wrong).isEqualTo(400);
            assertThat(refused.contentType()).startsWith("application/problem+json");
        }
        assertThat(api().get("/api/conversations/" + id, account.token())
                        .json()
                        .get("temperature")
                        .isNull())
                .isTrue();
    }

    private String start(Api.Account account, String title, String model) {
        var body = model == null
                ? "{\"title\":\"" + title + "\"}"
                : "{\"title\":\"" + title + "\",\"model\":\"" + model + "\"}";
        return api().post("/api/conversations", account.token(), body)
                .json()
                .get("id")
                .asString();
    }
}
