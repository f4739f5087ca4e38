package dev.colloquy.document;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.colloquy.FakeUpstream;
import dev.colloquy.Replica;
import dev.colloquy.TestDatabase;
import java.io.IOException;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Documents embedded by a configured model's upstream {@code /v1/embeddings} instead of the
 * in-process model: the vectors, their model name, the search, and the bill are the upstream's. A
 * replica of its own over a database of its own, so the shared test context (which embeds in
 * process) does not take its documents.
 */
class UpstreamEmbeddingsIT {

    private final FakeUpstream upstream = FakeUpstream.get();
    private String database;

    @BeforeEach
    void createDatabase() {
        database = TestDatabase.get().createScratch("colloquy_embed");
    }

    @AfterEach
    void dropDatabase() {
        TestDatabase.get().dropScratch(database);
    }

    @Test
    void documentsAndQuestionsAreEmbeddedUpstreamAndBilledToTheOwner() throws Exception {
        try (var replica = Replica.start(properties("embedder"))) {
            var api = replica.api();
            var owner = api.register();
            var uploaded = api.upload("/api/documents", owner.token(), "handbook.md", handbook());
            assertThat(uploaded.status()).as(uploaded.body()).isEqualTo(202);
            var id = uploaded.json().get("id").asString();
            var ready = awaitReady(replica, owner.token(), id);
            assertThat(ready.get("embeddingModel").asString()).isEqualTo("embedder/embedder");

            var search = api.post(
                    "/api/documents/search", owner.token(), "{\"query\":\"How long are backups kept?\",\"k\":3}");
            assertThat(search.status()).isEqualTo(200);
            assertThat(search.json().get("items").get(0).get("content").asString())
                    .contains("kept for 35 days");
            assertThat(upstream.lastRequest("embedder").path("input").toString())
                    .as("the question was embedded upstream too")
                    .contains("How long are backups kept?");

            try (var connection = DriverManager.getConnection(database, "postgres", "");
                    var rows = connection
                            .createStatement()
                            .executeQuery(
                                    "select distinct octet_length(embedding), embedding_model from document_chunks")) {
                assertThat(rows.next()).isTrue();
                assertThat(rows.getInt(1))
                        .as("the upstream's dimensions, not MiniLM's 384")
                        .isEqualTo(3);
                assertThat(rows.getString(2)).isEqualTo("embedder/embedder");
                assertThat(rows.next()).isFalse();
            }

            var usage = awaitUsage(replica, owner.token());
            assertThat(usage.get("totals").get("calls").asLong()).isGreaterThanOrEqualTo(2);
            assertThat(usage.get("totals").get("inputTokens").asLong()).isPositive();
            assertThat(usage.get("days").get(0).get("model").asString()).isEqualTo("embedder");
        }
    }

    @Test
    void anUpstreamThatCannotEmbedTheQuestionLeavesSearchToTheWords() {
        var properties = properties("embedder");
        properties.put("colloquy.llm.models[0].base-url", "http://127.0.0.1:9");
        properties.put("colloquy.llm.retry.initial-backoff", "10ms");
        properties.put("colloquy.llm.retry.max-backoff", "50ms");
        try (var replica = Replica.start(properties)) {
            var owner = replica.api().register();
            var search = replica.api()
                    .post("/api/documents/search", owner.token(), "{\"query\":\"How long are backups kept?\"}");
            assertThat(search.status()).as(search.body()).isEqualTo(200);
            assertThat(search.json().get("items")).isEmpty();
        }
    }

    @Test
    void aModelWithoutEmbeddingsIsRefusedAtStart() {
        assertThatThrownBy(() -> Replica.start(properties("local")).close())
                .hasStackTraceContaining("colloquy.documents.embedding-model=local must name a model")
                .hasStackTraceContaining("provider openai");
    }

    private Map<String, String> properties(String embeddingModel) {
        var properties = new HashMap<String, String>();
        properties.put("spring.datasource.url", database);
        properties.put("colloquy.llm.default-model", "local");
        properties.put("colloquy.llm.models[0].name", "embedder");
        properties.put("colloquy.llm.models[0].base-url", upstream.baseUrl());
        properties.put("colloquy.llm.models[0].input-price-per-million", "1.00");
        properties.put("colloquy.documents.embedding-model", embeddingModel);
        return properties;
    }

    private static tools.jackson.databind.JsonNode awaitReady(Replica replica, String token, String id)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            var document = replica.api().get("/api/documents/" + id, token).json();
            var status = document.get("status").asString();
            if (!status.equals("processing")) {
                assertThat(status).as(document.toString()).isEqualTo("ready");
                return document;
            }
            assertThat(System.nanoTime()).as("ingestion within 30 s").isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private static tools.jackson.databind.JsonNode awaitUsage(Replica replica, String token)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            var usage = replica.api().get("/api/usage", token).json();
            if (usage.get("totals").get("calls").asLong() >= 2 || System.nanoTime() > deadline) {
                return usage;
            }
            Thread.sleep(200);
        }
    }

    private byte[] handbook() throws IOException {
        try (var in = getClass().getResourceAsStream("/documents/handbook.md")) {
            return in.readAllBytes();
        }
    }
}
