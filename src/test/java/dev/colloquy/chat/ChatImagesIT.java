package dev.colloquy.chat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.colloquy.Api;
import dev.colloquy.FakeUpstream;
import dev.colloquy.IntegrationTest;
import dev.colloquy.TestImages;
import java.awt.Color;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.CRC32;
import java.util.zip.ZipInputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Images attached to questions: stored without their metadata, shown to their owner only, sent to the
 * models that take them (OpenAI's image_url parts, Anthropic's image blocks), refused up front for the
 * models that do not, and carried by an edit.
 */
class ChatImagesIT extends IntegrationTest {

    private final FakeUpstream upstream = FakeUpstream.get();

    @Autowired
    JdbcClient jdbc;

    @Test
    void anAttachedImageIsStoredWithoutMetadataShownToItsOwnerAndSentToTheModel() throws IOException {
        var account = api().register();
        var id = start(account, "seeing");
        var png = withText(TestImages.png(64, 48, Color.BLUE), "Author\0Jane Doe, 48.85N 2.35E");

        var response = ask(account, id, "What colour is this?", List.of(png), Map.of());

        assertThat(response.status()).as(response.body()).isEqualTo(200);
        var question = response.json().get("userMessage");
        var image = question.get("images").get(0);
        assertThat(image.get("mediaType").asString()).isEqualTo("image/png");
        assertThat(image.get("width").asInt()).isEqualTo(64);
        assertThat(image.get("height").asInt()).isEqualTo(48);
        var stored = api().download(
                        "/api/conversations/" + id + "/images/"
                                + image.get("id").asString(),
                        account.token());
        assertThat(stored.status()).isEqualTo(200);
        assertThat(stored.headers().get("content-type")).isEqualTo("image/png");
        assertThat(stored.headers().get("x-content-type-options")).isEqualTo("nosniff");
        assertThat(stored.headers().get("cache-control")).contains("private").doesNotContain("public");
        assertThat(new String(stored.body(), StandardCharsets.ISO_8859_1)).doesNotContain("Jane");
        assertThat(ImageIO.read(new ByteArrayInputStream(stored.body())).getRGB(3, 3))
                .isEqualTo(Color.BLUE.getRGB());

        var sent = upstream.lastRequest("seeing").get("messages");
        var parts = sent.get(sent.size() - 1).get("content");
        assertThat(parts.get(0).get("type").asString()).isEqualTo("text");
        assertThat(parts.get(0).get("text").asString()).isEqualTo("What colour is this?");
        assertThat(parts.get(1).get("type").asString()).isEqualTo("image_url");
        assertThat(parts.get(1).get("image_url").get("url").asString())
                .isEqualTo("data:image/png;base64," + Base64.getEncoder().encodeToString(stored.body()));

        var listed = api().get("/api/conversations/" + id + "/messages", account.token())
                .json()
                .get("items");
        assertThat(listed.get(0).get("images").get(0).get("id").asString())
                .isEqualTo(image.get("id").asString());

        var stranger = api().register();
        var path = "/api/conversations/" + id + "/images/" + image.get("id").asString();
        assertThat(api().download(path, stranger.token()).status()).isEqualTo(404);
        var strangers = start(stranger, "seeing");
        assertThat(api().download(
                                "/api/conversations/" + strangers + "/images/"
                                        + image.get("id").asString(),
                                stranger.token())
                        .status())
                .isEqualTo(404);
        assertThat(api().download(path, null).status()).isEqualTo(401);
    }

    @Test
    void aRetriedQuestionWithImagesUnderOneIdempotencyKeyIsAskedAndStoredOnce() {
        var account = api().register();
        var id = start(account, "seeing");
        var key = Map.of("Idempotency-Key", UUID.randomUUID().toString());
        var image = TestImages.png(12, 12, Color.RED);
        int calls = upstream.calls("seeing");

        // each attempt is its own form, with its own boundary, as a client's retry would be
        var first = ask(account, id, "What is this?", List.of(image), key);
        var again = ask(account, id, "What is this?", List.of(image), key);
        var other = ask(account, id, "What is that?", List.of(image), key);

        assertThat(first.status()).as(first.body()).isEqualTo(200);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().get("userMessage").get("id").asString())
                .isEqualTo(first.json().get("userMessage").get("id").asString());
        assertThat(upstream.calls("seeing")).isEqualTo(calls + 1);
        assertThat(messages(account, id)).isEqualTo(2);
        assertThat(other.status()).as("the key reused for another question").isEqualTo(422);
    }

    @Test
    void anEditShowsTheImagesOfTheQuestionItEditsAndTheModelSeesThemAgain() throws IOException {
        var account = api().register();
        var id = start(account, "seeing");
        var first = ask(account, id, "Describe it", List.of(TestImages.png(10, 10, Color.RED)), Map.of())
                .json();
        var imageId = first.get("userMessage").get("images").get(0).get("id").asString();

        var edited = api().post(
                        "/api/conversations/" + id + "/messages",
                        account.token(),
                        "{\"content\":\"Describe it in one word\",\"editOf\":\""
                                + first.get("userMessage").get("id").asString() + "\"}");

        assertThat(edited.status()).as(edited.body()).isEqualTo(200);
        assertThat(edited.json()
                        .get("userMessage")
                        .get("images")
                        .get(0)
                        .get("id")
                        .asString())
                .isEqualTo(imageId);
        var parts = lastQuestion("seeing");
        assertThat(parts.get(0).get("text").asString()).isEqualTo("Describe it in one word");
        assertThat(parts.get(1).get("image_url").get("url").asString()).startsWith("data:image/png;base64,");
        assertThat(jdbc.sql("select count(*) from message_images where conversation_id = :id")
                        .param("id", UUID.fromString(id))
                        .query(Integer.class)
                        .single())
                .as("stored once for both versions")
                .isEqualTo(1);
    }

    @Test
    void anAnthropicModelGetsTheImageAsABase64Block() throws IOException {
        var account = api().register();
        var id = start(account, "claude-test");

        var response = ask(account, id, "", List.of(TestImages.jpeg(30, 20, Color.ORANGE)), Map.of());

        assertThat(response.status()).as(response.body()).isEqualTo(200);
        var content = upstream.lastRequest("claude-test").get("messages").get(0).get("content");
        var blocks = new ArrayList<String>();
        content.forEach(block -> blocks.add(block.get("type").asString()));
        assertThat(blocks).containsExactly("image");
        assertThat(content.get(0).get("source").get("type").asString()).isEqualTo("base64");
        assertThat(content.get(0).get("source").get("media_type").asString()).isEqualTo("image/jpeg");
    }

    @Test
    void imagesForAModelThatDoesNotTakeThemAreRefusedBeforeAnythingIsStored() throws IOException {
        var account = api().register();
        var id = start(account, "lonely");
        int callsBefore = upstream.calls("lonely");

        var response = ask(account, id, "What is this?", List.of(TestImages.png(8, 8, Color.GREEN)), Map.of());

        assertThat(response.status()).isEqualTo(422);
        assertThat(response.contentType()).isEqualTo("application/problem+json");
        assertThat(response.json().get("type").asString()).isEqualTo("urn:colloquy:problem:model-cannot-see-images");
        assertThat(response.json().get("detail").asString()).contains("lonely");
        assertThat(upstream.calls("lonely")).isEqualTo(callsBefore);
        assertThat(messages(account, id)).isZero();
    }

    @Test
    void whatIsNotAnAcceptableImageIsRefusedWithAProblemAndNothingIsStored() throws IOException {
        var account = api().register();
        var id = start(account, "seeing");

        var svg = ask(account, id, "look", List.of("<svg onload=alert(1)>".getBytes(StandardCharsets.UTF_8)), Map.of());
        assertThat(svg.status()).isEqualTo(415);
        assertThat(svg.json().get("type").asString()).isEqualTo("urn:colloquy:problem:unsupported-image");

        var huge = new byte[5 * 1024 * 1024 + 1];
        System.arraycopy(TestImages.png(8, 8, Color.GREEN), 0, huge, 0, 8);
        var tooLarge = ask(account, id, "look", List.of(huge), Map.of());
        assertThat(tooLarge.status()).isEqualTo(413);
        assertThat(tooLarge.json().get("type").asString()).isEqualTo("urn:colloquy:problem:image-too-large");

        var small = TestImages.png(4, 4, Color.GREEN);
        var tooMany = ask(account, id, "look", List.of(small, small, small, small, small), Map.of());
        assertThat(tooMany.status()).isEqualTo(422);
        assertThat(tooMany.json().get("type").asString()).isEqualTo("urn:colloquy:problem:too-many-images");

        var broken = TestImages.png(4, 4, Color.GREEN);
        var cut = ask(account, id, "look", List.of(Arrays.copyOf(broken, broken.length - 5)), Map.of());
        assertThat(cut.status()).isEqualTo(415);
        assertThat(cut.json().get("detail").asString()).contains("Image 1", "cut short");

        var blank = ask(account, id, "  ", List.of(), Map.of());
        assertThat(blank.status()).isEqualTo(400);

        assertThat(messages(account, id)).isZero();
        assertThat(jdbc.sql("select count(*) from message_images where conversation_id = :id")
                        .param("id", UUID.fromString(id))
                        .query(Integer.class)
                        .single())
                .isZero();
    }

    @Test
    void imagesStreamWithTheTurnGoInTheAccountExportAndGoWithTheirConversation() throws IOException {
        var account = api().register();
        var id = start(account, "seeing");

        var streamed = ask(
                account,
                id,
                "And this?",
                List.of(TestImages.png(5, 5, Color.BLACK)),
                Map.of("Accept", "text/event-stream"));

        assertThat(streamed.status()).isEqualTo(200);
        assertThat(streamed.body()).contains("event: user_message", "\"mediaType\":\"image/png\"", "event: done");
        var listed = api().get("/api/conversations/" + id + "/messages", account.token())
                .json()
                .get("items");
        var imageId = listed.get(0).get("images").get(0).get("id").asString();

        var export = api().download("/api/me/export", account.token());
        assertThat(export.status()).isEqualTo(200);
        assertThat(entries(export.body())).contains("images/" + id + "/" + imageId + ".png");

        assertThat(api().delete("/api/conversations/" + id, account.token()).status())
                .isEqualTo(204);
        assertThat(jdbc.sql("select count(*) from message_images where id = :id")
                        .param("id", UUID.fromString(imageId))
                        .query(Integer.class)
                        .single())
                .isZero();
    }

    private Api.Response ask(
            Api.Account account, String id, String content, List<byte[]> images, Map<String, String> headers) {
        return api().postForm(
                        "/api/conversations/" + id + "/messages",
                        account.token(),
                        Map.of("content", content),
                        "image",
                        images,
                        "picture.png",
                        headers);
    }

    private String start(Api.Account account, String model) {
        return api().post("/api/conversations", account.token(), "{\"title\":\"Images\",\"model\":\"" + model + "\"}")
                .json()
                .get("id")
                .asString();
    }

    private int messages(Api.Account account, String id) {
        return api().get("/api/conversations/" + id + "/messages", account.token())
                .json()
                .get("items")
                .size();
    }

    private JsonNode lastQuestion(String model) {
        var sent = upstream.lastRequest(model).get("messages");
        return sent.get(sent.size() - 1).get("content");
    }

    private static List<String> entries(byte[] zip) throws IOException {
        var names = new ArrayList<String>();
        try (var in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (var entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                names.add(entry.getName());
            }
        }
        return names;
    }

    /** The PNG with a text chunk after its header, as cameras and editors write them. */
    private static byte[] withText(byte[] png, String text) {
        var data = text.getBytes(StandardCharsets.ISO_8859_1);
        var crc = new CRC32();
        crc.update("tEXt".getBytes(StandardCharsets.ISO_8859_1));
        crc.update(data);
        var out = new ByteArrayOutputStream();
        out.write(png, 0, 33);
        int n = data.length;
        out.writeBytes(new byte[] {(byte) (n >> 24), (byte) (n >> 16), (byte) (n >> 8), (byte) n});
        out.writeBytes("tEXt".getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(data);
        long c = crc.getValue();
        out.writeBytes(new byte[] {(byte) (c >> 24), (byte) (c >> 16), (byte) (c >> 8), (byte) c});
        out.write(png, 33, png.length - 33);
        return out.toByteArray();
    }
}
