package dev.colloquy.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.colloquy.FakeUpstream;
import dev.colloquy.ReplicaProcess;
import dev.colloquy.TestDatabase;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A replica killed ({@code kill -9}) at the worst moments: right after answering billed calls, in
 * the middle of a usage-ledger write, and in the middle of ingesting a document; and one stopped
 * (SIGTERM) with usage still queued. Each time: what the client saw, that every call the client saw
 * finish is billed exactly once, and that another replica finishes the document with no chunk twice.
 * Replicas of the packaged jar in JVMs of their own, over a database of their own (they embed with
 * an upstream model, which must not touch the shared test database's documents).
 */
class CrashIT {

    private static final Duration DEADLINE = Duration.ofMinutes(4);
    private static final String EMBEDDER = "crash-embedder";

    private final FakeUpstream upstream = FakeUpstream.get();
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    private final List<ReplicaProcess> started = new ArrayList<>();
    private String database;

    @BeforeEach
    void createDatabase() {
        database = TestDatabase.get().createScratch("colloquy_crash");
    }

    @AfterEach
    void stopEverything() {
        started.forEach(ReplicaProcess::close);
        upstream.delayEmbeddings(Duration.ZERO);
        TestDatabase.get().dropScratch(database);
    }

    @Test
    void killedReplicasLoseNoBilledCallAndNoDocument() throws Exception {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        var first = start("crash-1");
        first.awaitReady(deadline);
        var user = first.api().register();

        // 1. billed calls answered, then kill -9 at once: each one the client saw finish is in the ledger
        int answered = 12;
        var calls = Executors.newVirtualThreadPerTaskExecutor();
        var answers = new ArrayList<CompletableFuture<HttpResponse<String>>>();
        for (int i = 0; i < answered; i++) {
            answers.add(CompletableFuture.supplyAsync(() -> complete(first, user.token()), calls));
        }
        for (var answer : answers) {
            assertThat(answer.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        }

        // 2. and with the ledger's table locked, calls waiting on their ledger write when it dies
        int inFlight = 4;
        int before = upstream.calls("stream-model");
        var cut = new ArrayList<CompletableFuture<HttpResponse<String>>>();
        try (var lock = connect()) {
            lock.setAutoCommit(false);
            lock.createStatement().execute("lock table llm_usage in exclusive mode");
            for (int i = 0; i < inFlight; i++) {
                cut.add(CompletableFuture.supplyAsync(() -> complete(first, user.token()), calls));
            }
            Awaitility.await()
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> upstream.calls("stream-model") - before >= inFlight);
            Thread.sleep(300);
            first.kill();
            lock.rollback();
        }
        for (var call : cut) {
            var response = call.handle((r, e) -> r).get(30, TimeUnit.SECONDS);
            assertThat(response)
                    .as("a call whose usage was never committed is never answered as done")
                    .isNull();
        }
        assertThat(billedCalls(user.id(), "stream-model"))
                .as("every call the client saw finish, billed once; none of the cut ones")
                .isEqualTo(answered);

        // the client retries the cut calls on another replica: billed once each
        var second = start("crash-2");
        second.awaitReady(deadline);
        for (int i = 0; i < inFlight; i++) {
            assertThat(complete(second, user.token()).statusCode()).isEqualTo(200);
        }
        assertThat(billedCalls(user.id(), "stream-model")).isEqualTo(answered + inFlight);

        // 3. kill -9 in the middle of ingesting a document (embedding batches answer slowly)
        upstream.delayEmbeddings(Duration.ofMillis(400));
        int embedCalls = upstream.calls(EMBEDDER);
        var uploaded = second.api().upload("/api/documents", user.token(), "runbook.md", runbook());
        assertThat(uploaded.status()).as(uploaded.body()).isEqualTo(202);
        var documentId = uploaded.json().get("id").asString();
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> upstream.calls(EMBEDDER) - embedCalls >= 2);
        second.kill();
        assertThat(chunkCount(documentId)).as("nothing half-written").isZero();

        // another replica takes the document over once the dead one's lease lapses, and finishes it
        upstream.delayEmbeddings(Duration.ZERO);
        var third = start("crash-3");
        third.awaitReady(deadline);
        Awaitility.await()
                .atMost(Duration.ofMinutes(2))
                .until(() -> "ready"
                        .equals(third.api()
                                .get("/api/documents/" + documentId, user.token())
                                .json()
                                .get("status")
                                .asString()));
        try (var connection = connect();
                var rows = connection
                        .createStatement()
                        .executeQuery("select count(*), count(distinct position), min(position), max(position)"
                                + " from document_chunks where document_id = '" + documentId + "'")) {
            rows.next();
            assertThat(rows.getInt(1)).as("chunks").isGreaterThan(20);
            assertThat(rows.getInt(2)).as("no chunk twice").isEqualTo(rows.getInt(1));
            assertThat(rows.getInt(4) - rows.getInt(3) + 1)
                    .as("no chunk missing")
                    .isEqualTo(rows.getInt(1));
        }
        var search = third.api()
                .post("/api/documents/search", user.token(), "{\"query\":\"rotate the signing keys\",\"k\":1}");
        assertThat(search.status()).isEqualTo(200);
        assertThat(search.json().get("items").size()).isEqualTo(1);

        // 4. SIGTERM with free calls still queued (they do not wait for the ledger): the stop flushes them
        int free = 25;
        for (int i = 0; i < free; i++) {
            assertThat(complete(third, user.token(), "local").statusCode()).isEqualTo(200);
        }
        third.terminate();
        assertThat(third.awaitExit(Duration.ofSeconds(60))).isTrue();
        assertThat(billedCalls(user.id(), "local"))
                .as("a graceful stop writes the queued usage")
                .isEqualTo(free);
    }

    private ReplicaProcess start(String name) throws IOException {
        var environment = new HashMap<String, String>();
        environment.put("SPRING_DATASOURCE_URL", database);
        environment.put("COLLOQUY_LLM_MODELS_0_INPUT_PRICE_PER_MILLION", "3");
        environment.put("COLLOQUY_LLM_MODELS_0_OUTPUT_PRICE_PER_MILLION", "15");
        environment.put("COLLOQUY_LLM_MODELS_1_NAME", EMBEDDER);
        environment.put("COLLOQUY_LLM_MODELS_1_BASE_URL", upstream.baseUrl());
        environment.put("COLLOQUY_DOCUMENTS_EMBEDDING_MODEL", EMBEDDER);
        environment.put("COLLOQUY_DOCUMENTS_LEASE", "3s");
        environment.put("COLLOQUY_DOCUMENTS_POLL_INTERVAL", "500ms");
        var replica = ReplicaProcess.start(name, ReplicaProcess.freePort(), environment);
        started.add(replica);
        return replica;
    }

    private HttpResponse<String> complete(ReplicaProcess replica, String token) {
        return complete(replica, token, "stream-model");
    }

    /** One OpenAI-style call, never cached (a new question, temperature above 0); null if the connection broke. */
    private HttpResponse<String> complete(ReplicaProcess replica, String token, String model) {
        var body = "{\"model\":\"" + model
                + "\",\"temperature\":0.7,\"messages\":[{\"role\":\"user\",\"content\":\"question " + UUID.randomUUID()
                + "\"}]}";
        var request = HttpRequest.newBuilder(URI.create(replica.baseUrl() + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private int billedCalls(UUID userId, String model) throws SQLException {
        try (var connection = connect();
                var statement = connection.prepareStatement(
                        "select count(*), count(distinct id) from llm_usage where user_id = ? and model = ?")) {
            statement.setObject(1, userId);
            statement.setString(2, model);
            try (var rows = statement.executeQuery()) {
                rows.next();
                assertThat(rows.getInt(2)).as("no usage record twice").isEqualTo(rows.getInt(1));
                return rows.getInt(1);
            }
        }
    }

    private int chunkCount(String documentId) throws SQLException {
        try (var connection = connect();
                var rows = connection
                        .createStatement()
                        .executeQuery(
                                "select count(*) from document_chunks where document_id = '" + documentId + "'")) {
            rows.next();
            return rows.getInt(1);
        }
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(database, TestDatabase.get().user(), "");
    }

    /** A Markdown runbook long enough for several embedding batches. */
    private static byte[] runbook() {
        var text = new StringBuilder("# Operations runbook\n\n");
        for (int section = 1; section <= 60; section++) {
            text.append("## Procedure ").append(section).append("\n\n");
            text.append("Step ")
                    .append(section)
                    .append(": check the dashboards, page the on-call engineer, and write down what changed. ")
                    .repeat("Keep the incident channel open and note every command you ran with its time. ", 12)
                    .append("\n\n");
        }
        text.append("## Keys\n\nTo rotate the signing keys, create the new key, deploy it beside the old one, ")
                .append("then retire the old key after a day.\n");
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }
}
