package dev.colloquy.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.colloquy.Api;
import dev.colloquy.FakeUpstream;
import dev.colloquy.FakeUpstream.Reply;
import dev.colloquy.Replica;
import dev.colloquy.TestRedis;
import dev.colloquy.conversation.ConversationManagement;
import dev.colloquy.conversation.MessageRole;
import dev.colloquy.conversation.MessageStatus;
import dev.colloquy.conversation.NewMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Keyed requests that call a model hold no pooled connection while the model answers, and a retry
 * after the replica running one died goes on from where it stopped instead of doing it twice. On a
 * replica of its own, whose model (on the fake upstream) may take seconds to answer.
 */
class IdempotencyLeaseIT {

    private static final String MODEL = "lease-model";

    private static Replica replica;

    @BeforeAll
    static void start() {
        replica = Replica.start(Map.of(
                "spring.data.redis.url",
                TestRedis.get().url(),
                "colloquy.cache.key-prefix",
                TestRedis.get().prefix() + "-lease",
                "colloquy.llm.models[0].name",
                MODEL,
                "colloquy.llm.models[0].base-url",
                FakeUpstream.get().baseUrl(),
                "colloquy.llm.default-model",
                MODEL,
                "colloquy.llm.first-token-timeout",
                "10s",
                "colloquy.llm.breaker.minimum-calls",
                "1000"));
    }

    @AfterAll
    static void stop() {
        replica.close();
    }

    @Test
    void fiftyKeyedCallsToASlowModelLeaveThePoolToEveryoneElse() throws Exception {
        var api = replica.api();
        var account = api.register();
        var key = apiKey(api, account);
        // warm up the path, so what is compared below is the database, not the first calls' JIT
        for (int i = 0; i < 5; i++) {
            api.post("/v1/chat/completions", key, chat("warm-up " + i));
            api.get("/api/conversations", account.token());
        }
        int keyed = 50;
        for (int i = 0; i < keyed; i++) {
            FakeUpstream.get().script(MODEL, Reply.slowFirstToken(Duration.ofSeconds(2), "slow ", "answer"));
        }
        int before = FakeUpstream.get().calls(MODEL);
        var keys = new ArrayList<String>();
        try (var clients = Executors.newVirtualThreadPerTaskExecutor()) {
            var calls = new ArrayList<Future<Timed>>();
            for (int i = 0; i < keyed; i++) {
                var idempotencyKey = "slow-" + i + "-" + UUID.randomUUID();
                keys.add(idempotencyKey);
                var body = chat("question " + i);
                calls.add(clients.submit(() -> Timed.of(
                        () -> api.post("/v1/chat/completions", key, body, Map.of("Idempotency-Key", idempotencyKey)))));
            }
            // every keyed call is waiting for the model at once: none waits for a connection
            await().atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(10))
                    .until(() -> FakeUpstream.get().calls(MODEL) - before >= keyed);

            var others = new ArrayList<Future<Timed>>();
            for (int i = 0; i < 20; i++) {
                int n = i;
                others.add(clients.submit(() -> Timed.of(() -> n % 2 == 0
                        ? api.get("/api/conversations", account.token())
                        : api.post("/api/conversations", account.token(), "{\"title\":\"meanwhile " + n + "\"}"))));
            }
            long firstKeyedDone = Long.MAX_VALUE;
            var answers = new ArrayList<Api.Response>();
            for (var call : calls) {
                var timed = call.get();
                firstKeyedDone = Math.min(firstKeyedDone, timed.doneAt());
                answers.add(timed.response());
            }
            for (var other : others) {
                var timed = other.get();
                assertThat(timed.response().status()).isIn(200, 201);
                assertThat(timed.doneAt())
                        .as("answered while the 50 keyed calls still waited for their model")
                        .isLessThan(firstKeyedDone);
            }
            assertThat(answers).allSatisfy(answer -> assertThat(answer.status()).isEqualTo(200));

            // each retry gets its first answer back; the model is not called again
            for (int i = 0; i < keyed; i++) {
                var retry = api.post(
                        "/v1/chat/completions", key, chat("question " + i), Map.of("Idempotency-Key", keys.get(i)));
                assertThat(retry.header("Idempotent-Replayed")).isEqualTo("true");
                assertThat(retry.body()).isEqualTo(answers.get(i).body());
            }
            assertThat(FakeUpstream.get().calls(MODEL) - before).isEqualTo(keyed);
        }
    }

    @Test
    void aRetryWhileTheFirstStillRunsWaitsForItsAnswer() throws Exception {
        var api = replica.api();
        var account = api.register();
        var key = apiKey(api, account);
        FakeUpstream.get().script(MODEL, Reply.slowFirstToken(Duration.ofMillis(1_500), "only ", "once"));
        int before = FakeUpstream.get().calls(MODEL);
        var header = Map.of("Idempotency-Key", "twice-" + UUID.randomUUID());

        try (var clients = Executors.newVirtualThreadPerTaskExecutor()) {
            var first = clients.submit(() -> api.post("/v1/chat/completions", key, chat("once"), header));
            await().atMost(Duration.ofSeconds(5)).until(() -> FakeUpstream.get().calls(MODEL) > before);
            var retry = api.post("/v1/chat/completions", key, chat("once"), header);

            assertThat(retry.status()).isEqualTo(200);
            assertThat(retry.header("Idempotent-Replayed")).isEqualTo("true");
            assertThat(retry.body()).isEqualTo(first.get().body()).contains("only once");
        }
        assertThat(FakeUpstream.get().calls(MODEL) - before).isEqualTo(1);
    }

    @Test
    void aKeyedCallStreamedByItsBodyStreamsAndIsNotHeldBack() throws Exception {
        var api = replica.api();
        var account = api.register();
        var key = apiKey(api, account);
        FakeUpstream.get().script(MODEL, Reply.slowChunks(Duration.ofMillis(500), "early ", "middle ", "late"));
        // as the SDKs send a stream: "stream": true in the body, Accept: application/json
        var arrivals = api.streamArrivals(
                "/v1/chat/completions",
                key,
                "{\"model\":\"" + MODEL + "\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}",
                Map.of("Accept", "application/json", "Idempotency-Key", "streamed-" + UUID.randomUUID()),
                "early",
                "late");

        assertThat(arrivals[0]).isPositive();
        // the upstream sends "late" a second after "early": a stream held back for keeping would
        // reach the client all at once at the end
        assertThat(Duration.ofNanos(arrivals[1] - arrivals[0])).isGreaterThan(Duration.ofMillis(500));
    }

    @Test
    void aRetryAfterTheReplicaDiedGoesOnFromTheStoredQuestion() {
        var api = replica.api();
        var account = api.register();
        var conversation = conversation(api, account);
        var body = "{\"content\":\"what did I ask?\"}";
        // what an attempt that died during the model call left: its question, marked, and a lease run out
        var question = replica.bean(ConversationManagement.class)
                .append(account.id(), conversation, NewMessage.fromUser("what did I ask?"));
        var key = "died-asking-" + UUID.randomUUID();
        leftByADeadAttempt(account.id(), key, conversation, body, "asked:" + question.id());
        int before = FakeUpstream.get().calls(MODEL);

        var retry = postTurn(api, account, conversation, body, key);
        var again = postTurn(api, account, conversation, body, key);

        assertThat(retry.status()).isEqualTo(200);
        assertThat(retry.json().get("userMessage").get("id").asString())
                .isEqualTo(question.id().toString());
        assertThat(retry.json().get("assistantMessage").get("content").asString())
                .contains("what did I ask?");
        assertThat(FakeUpstream.get().calls(MODEL) - before).isEqualTo(1);
        assertThat(messageCount(api, account, conversation))
                .as("the question once, its answer once")
                .isEqualTo(2);
        assertThat(again.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(again.body()).isEqualTo(retry.body());
    }

    @Test
    void aRetryAfterTheReplicaDiedOnceAnsweredReturnsThatAnswerWithoutCallingTheModel() {
        var api = replica.api();
        var account = api.register();
        var conversation = conversation(api, account);
        var body = "{\"content\":\"answered already?\"}";
        var conversations = replica.bean(ConversationManagement.class);
        var question = conversations.append(account.id(), conversation, NewMessage.fromUser("answered already?"));
        var answer = conversations.append(
                account.id(),
                conversation,
                new NewMessage(
                        MessageRole.ASSISTANT,
                        "Yes, before I died.",
                        MODEL,
                        MessageStatus.COMPLETE,
                        7,
                        5,
                        40,
                        List.of(),
                        List.of()));
        var key = "died-answering-" + UUID.randomUUID();
        leftByADeadAttempt(account.id(), key, conversation, body, "answered:" + question.id() + ":" + answer.id());
        int before = FakeUpstream.get().calls(MODEL);

        var retry = postTurn(api, account, conversation, body, key);

        assertThat(retry.status()).isEqualTo(200);
        assertThat(retry.json().get("userMessage").get("id").asString())
                .isEqualTo(question.id().toString());
        assertThat(retry.json().get("assistantMessage").get("id").asString())
                .isEqualTo(answer.id().toString());
        assertThat(retry.json().get("usage").get("outputTokens").asInt()).isEqualTo(5);
        assertThat(FakeUpstream.get().calls(MODEL)).isEqualTo(before);
        assertThat(messageCount(api, account, conversation)).isEqualTo(2);
    }

    /** The row a keyed chat turn leaves when its replica dies after the checkpoint, its lease run out. */
    private static void leftByADeadAttempt(UUID userId, String key, UUID conversation, String body, String checkpoint) {
        var fingerprint = IdempotencyFilter.fingerprint(
                "POST",
                "/api/conversations/" + conversation + "/messages",
                null,
                body.getBytes(StandardCharsets.UTF_8));
        replica.bean(JdbcClient.class)
                .sql("""
                        insert into idempotency_keys
                               (user_id, key, fingerprint, state, expires_at, lease_owner, lease_until, checkpoint)
                        values (:user, :key, :fingerprint, 'in_progress', now() + interval '1 day',
                                :owner, now() - interval '1 second', :checkpoint)
                        """)
                .param("user", userId)
                .param("key", key)
                .param("fingerprint", fingerprint)
                .param("owner", UUID.randomUUID())
                .param("checkpoint", checkpoint)
                .update();
    }

    private static Api.Response postTurn(Api api, Api.Account account, UUID conversation, String body, String key) {
        return api.post(
                "/api/conversations/" + conversation + "/messages",
                account.token(),
                body,
                Map.of("Idempotency-Key", key));
    }

    private static UUID conversation(Api api, Api.Account account) {
        return UUID.fromString(api.post("/api/conversations", account.token(), "{}")
                .json()
                .get("id")
                .asString());
    }

    private static int messageCount(Api api, Api.Account account, UUID conversation) {
        return api.get("/api/conversations/" + conversation, account.token())
                .json()
                .get("messageCount")
                .asInt();
    }

    private static String apiKey(Api api, Api.Account account) {
        return api.post("/api/api-keys", account.token(), "{\"name\":\"lease\",\"scope\":\"chat\"}")
                .json()
                .get("key")
                .asString();
    }

    private static String chat(String content) {
        return "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]}";
    }

    /** A response and when it arrived (nano time). */
    private record Timed(Api.Response response, long doneAt) {

        static Timed of(java.util.function.Supplier<Api.Response> call) {
            var response = call.get();
            return new Timed(response, System.nanoTime());
        }
    }
}
