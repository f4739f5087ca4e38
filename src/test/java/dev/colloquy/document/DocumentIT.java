package dev.colloquy.document;

import static org.assertj.core.api.Assertions.assertThat;

import dev.colloquy.Api;
import dev.colloquy.IntegrationTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

/**
 * Real documents written for these tests (Markdown, HTML, plain text and a PDF) are ingested, then
 * asked about: the right passage ranks first, a chat answer cites it, and nobody else sees it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DocumentIT extends IntegrationTest {

    private Api.Account owner;
    private String handbook;
    private String releaseNotes;
    private String astronomy;
    private String fieldGuide;

    @BeforeAll
    void ingest() throws IOException {
        owner = api().register();
        handbook = upload(owner, "handbook.md", resource("handbook.md"));
        releaseNotes = upload(owner, "release-notes.html", resource("release-notes.html"));
        astronomy = upload(owner, "astronomy.txt", resource("astronomy.txt"));
        fieldGuide = upload(owner, "field-guide.pdf", TestPdfs.fieldGuide());
        for (var id : new String[] {handbook, releaseNotes, astronomy, fieldGuide}) {
            assertThat(awaitSettled(owner, id).get("status").asString()).isEqualTo("ready");
        }
    }

    @Test
    void eachTypeIsToldFromItsContentAndCutIntoChunks() {
        var markdown = api().get("/api/documents/" + handbook, owner.token()).json();
        var html = api().get("/api/documents/" + releaseNotes, owner.token()).json();
        var text = api().get("/api/documents/" + astronomy, owner.token()).json();
        var pdf = api().get("/api/documents/" + fieldGuide, owner.token()).json();

        assertThat(markdown.get("contentType").asString()).isEqualTo("text/markdown");
        assertThat(markdown.get("chunkCount").asInt()).isGreaterThan(1);
        assertThat(markdown.get("embeddingModel").asString()).isEqualTo(DocumentEmbeddings.LOCAL);
        assertThat(html.get("contentType").asString()).isEqualTo("text/html");
        assertThat(text.get("contentType").asString()).isEqualTo("text/plain");
        assertThat(pdf.get("contentType").asString()).isEqualTo("application/pdf");
        assertThat(pdf.get("pages").asInt()).isEqualTo(2);
    }

    @Test
    void theRightPassageRanksFirst() {
        var backups = first(search(owner, "How long are backups kept?"));
        var replication = first(search(owner, "which metric shows replication lag"));
        var gentian = first(search(owner, "When does the trumpet gentian flower?"));
        var meteors = first(search(owner, "meteor shower in October"));

        assertThat(backups.get("documentId").asString()).isEqualTo(handbook);
        assertThat(backups.get("headingPath").asString()).isEqualTo("Northwind Cloud Handbook > Operations > Backups");
        assertThat(backups.get("content").asString()).contains("kept for 35 days");
        assertThat(replication.get("documentId").asString()).isEqualTo(releaseNotes);
        assertThat(replication.get("headingPath").asString()).isEqualTo("Orbit release notes > Version 4.1");
        assertThat(gentian.get("documentId").asString()).isEqualTo(fieldGuide);
        assertThat(gentian.get("page").asInt()).isEqualTo(2);
        assertThat(meteors.get("documentId").asString()).isEqualTo(astronomy);
        assertThat(meteors.get("content").asString()).contains("Orionid");
    }

    @Test
    void aChatAnswerQuotesAndCitesThePassage() {
        var conversation = api().post("/api/conversations", owner.token(), "{\"model\":\"local\"}")
                .json()
                .get("id")
                .asString();

        var turn = api().post(
                        "/api/conversations/" + conversation + "/messages",
                        owner.token(),
                        "{\"content\":\"Within how many days can an annual plan be refunded?\"}")
                .json();

        var answer = turn.get("assistantMessage").get("content").asString();
        assertThat(answer).contains("within 30 days of purchase").contains("[1]");
        var citation = turn.get("citations").get(0);
        assertThat(citation.get("documentId").asString()).isEqualTo(handbook);
        assertThat(citation.get("filename").asString()).isEqualTo("handbook.md");
        assertThat(citation.get("headingPath").asString()).endsWith("Billing > Refunds");
        assertThat(citation.get("cited").asBoolean()).isTrue();

        var stored = api().get("/api/conversations/" + conversation + "/messages", owner.token())
                .json()
                .get("items");
        assertThat(stored.get(0).get("citations")).as("the question has none").isEmpty();
        assertThat(stored.get(1).get("citations"))
                .as("the answer keeps its citations")
                .isEqualTo(turn.get("citations"));
        var passage = api().get(
                        "/api/documents/" + handbook + "/chunks/"
                                + citation.get("chunkId").asString(),
                        owner.token())
                .json();
        assertThat(passage.get("content").asString()).contains("within 30 days of purchase");
        assertThat(api().get(
                                "/api/documents/" + handbook + "/chunks/"
                                        + citation.get("chunkId").asString(),
                                api().register().token())
                        .status())
                .as("another user's passage is not found")
                .isEqualTo(404);
    }

    @Test
    void anotherUserNeverSeesTheDocuments() {
        var stranger = api().register();

        var found = search(stranger, "How long are backups kept?");
        var read = api().get("/api/documents/" + handbook, stranger.token());
        var deleted = api().delete("/api/documents/" + handbook, stranger.token());
        var listed = api().get("/api/documents", stranger.token()).json().get("items");
        var conversation = api().post("/api/conversations", stranger.token(), "{\"model\":\"local\"}")
                .json()
                .get("id")
                .asString();
        var turn = api().post(
                        "/api/conversations/" + conversation + "/messages",
                        stranger.token(),
                        "{\"content\":\"How long are backups kept?\"}")
                .json();

        assertThat(found).isEmpty();
        assertThat(read.status()).isEqualTo(404);
        assertThat(deleted.status()).isEqualTo(404);
        assertThat(listed).isEmpty();
        assertThat(turn.get("citations")).isEmpty();
        assertThat(turn.get("assistantMessage").get("content").asString()).doesNotContain("35 days");
        assertThat(api().get("/api/documents/" + handbook, owner.token()).status())
                .isEqualTo(200);
    }

    @Test
    void theSameContentAgainIsTheSameDocument() throws IOException {
        var again = api().upload("/api/documents", owner.token(), "copy-of-handbook.md", resource("handbook.md"));

        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().get("id").asString()).isEqualTo(handbook);
        assertThat(again.json().get("status").asString()).isEqualTo("ready");
    }

    @Test
    void theListIsKeysetPagedNewestFirst() {
        var firstPage = api().get("/api/documents?limit=3", owner.token()).json();
        var cursor = firstPage.get("nextCursor").asString();
        var secondPage = api().get("/api/documents?limit=3&cursor=" + cursor, owner.token())
                .json();
        var forged = api().get("/api/documents?limit=3&cursor=" + cursor.substring(1), owner.token());

        assertThat(firstPage.get("items").findValuesAsString("id"))
                .containsExactly(fieldGuide, astronomy, releaseNotes);
        assertThat(secondPage.get("items").findValuesAsString("id")).containsExactly(handbook);
        assertThat(secondPage.get("nextCursor").isNull()).isTrue();
        assertThat(forged.status()).isEqualTo(400);
    }

    @Test
    void aDeletedDocumentIsGoneFromSearch() {
        var account = api().register();
        var id = upload(account, "astronomy.txt", resourceUnchecked("astronomy.txt"));
        awaitSettled(account, id);
        assertThat(search(account, "Andromeda galaxy distance")).isNotEmpty();

        var deleted = api().delete("/api/documents/" + id, account.token());

        assertThat(deleted.status()).isEqualTo(204);
        assertThat(api().get("/api/documents/" + id, account.token()).status()).isEqualTo(404);
        assertThat(search(account, "Andromeda galaxy distance")).isEmpty();
    }

    private JsonNode search(Api.Account account, String query) {
        var response =
                api().post("/api/documents/search", account.token(), "{\"query\":\"%s\",\"k\":5}".formatted(query));
        assertThat(response.status()).isEqualTo(200);
        return response.json().get("items");
    }

    private static JsonNode first(JsonNode items) {
        assertThat(items).isNotEmpty();
        return items.get(0);
    }

    String upload(Api.Account account, String filename, byte[] content) {
        var response = api().upload("/api/documents", account.token(), filename, content);
        assertThat(response.status()).as(response.body()).isEqualTo(202);
        assertThat(response.json().get("status").asString()).isEqualTo("processing");
        return response.json().get("id").asString();
    }

    /** Polls the document until it leaves {@code processing}; at most 60 s. */
    JsonNode awaitSettled(Api.Account account, String id) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            var document = api().get("/api/documents/" + id, account.token()).json();
            if (!document.get("status").asString().equals("processing") || System.nanoTime() > deadline) {
                return document;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    static byte[] resource(String name) throws IOException {
        try (var in = DocumentIT.class.getResourceAsStream("/documents/" + name)) {
            if (in == null) {
                throw new IOException("no test document " + name);
            }
            return in.readAllBytes();
        }
    }

    static byte[] resourceUnchecked(String name) {
        try {
            return resource(name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
