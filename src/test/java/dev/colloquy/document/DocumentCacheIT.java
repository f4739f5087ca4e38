package dev.colloquy.document;

import static org.assertj.core.api.Assertions.assertThat;

import dev.colloquy.FakeUpstream;
import dev.colloquy.IntegrationTest;
import dev.colloquy.llm.embedding.LocalEmbeddings;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Cached answers that quoted a document are not served once the document changes. */
class DocumentCacheIT extends IntegrationTest {

    private static final String QUESTION =
            "{\"model\":\"lonely\",\"temperature\":0,\"messages\":[{\"role\":\"user\",\"content\":\"How long are backups kept?\"}]}";

    private final FakeUpstream upstream = FakeUpstream.get();

    @Autowired
    JdbcClient jdbc;

    @Test
    void aReEmbeddedDocumentInvalidatesTheAnswersThatUsedIt() throws Exception {
        var account = api().register();
        var key = api().post("/api/api-keys", account.token(), "{\"name\":\"rag\",\"scope\":\"chat\"}")
                .json()
                .get("key")
                .asString();
        var id = api().upload("/api/documents", account.token(), "handbook.md", DocumentIT.resource("handbook.md"))
                .json()
                .get("id")
                .asString();
        var ready = await(account.token(), id, 1);
        assertThat(ready).isEqualTo(1);
        var withDocuments = Map.of("X-Colloquy-Documents", "on");
        int before = upstream.calls("lonely");

        var first = api().post("/v1/chat/completions", key, QUESTION, withDocuments);
        var again = api().post("/v1/chat/completions", key, QUESTION, withDocuments);
        var remembered = cacheEntriesUsing(id);
        // as the release before chunks were embedded after their document's opening recorded it
        jdbc.sql("update documents set embedding_model = :previous where id = :id")
                .param("previous", LocalEmbeddings.MODEL)
                .param("id", UUID.fromString(id))
                .update();
        var reEmbedded = await(account.token(), id, 2);
        var forgotten = cacheEntriesUsing(id);
        var afterwards = api().post("/v1/chat/completions", key, QUESTION, withDocuments);

        assertThat(first.header("X-Colloquy-Cache")).isEqualTo("miss");
        assertThat(again.header("X-Colloquy-Cache")).isEqualTo("hit");
        assertThat(remembered).as("the semantic entry remembers the document").isEqualTo(1);
        assertThat(reEmbedded).isEqualTo(2);
        assertThat(forgotten).isZero();
        assertThat(afterwards.header("X-Colloquy-Cache")).isEqualTo("miss");
        assertThat(upstream.calls("lonely") - before).isEqualTo(2);
        assertThat(upstream.lastRequest("lonely").toString())
                .contains("kept for 35 days")
                .contains("[1] handbook.md");
    }

    private long cacheEntriesUsing(String documentId) {
        return jdbc.sql("select count(*) from llm_cache_entries where document_ids @> array[:id]::uuid[]")
                .param("id", UUID.fromString(documentId))
                .query(Long.class)
                .single();
    }

    /** Waits until the document is ready at this version and embedded by the current model; its version. */
    private int await(String token, String id, int version) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            var document = api().get("/api/documents/" + id, token).json();
            boolean current = document.get("status").asString().equals("ready")
                    && document.get("version").asInt() >= version
                    && DocumentEmbeddings.LOCAL.equals(
                            document.get("embeddingModel").asString());
            if (current || System.nanoTime() > deadline) {
                return document.get("version").asInt();
            }
            Thread.sleep(100);
        }
    }
}
