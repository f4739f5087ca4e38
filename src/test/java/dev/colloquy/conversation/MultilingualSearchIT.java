package dev.colloquy.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.colloquy.Api;
import dev.colloquy.IntegrationTest;
import dev.colloquy.platform.Uuid7;
import dev.colloquy.platform.WordBackfill;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Search in scripts written without spaces, as a user of them would try it: every word of a Chinese
 * sentence (and the English product name inside it) finds its message, Japanese and Thai too, English
 * keeps its stemming, documents are found by their Chinese words, and rows written before words were
 * broken are found once the backfill has passed.
 */
class MultilingualSearchIT extends IntegrationTest {

    private static final String QUESTION = "我们应该如何配置Redis缓存的过期时间？";
    private static final String ADVICE = "建议把会话缓存的过期时间设为十五分钟";

    @Autowired
    private JdbcClient jdbc;

    @Autowired
    private WordBackfill backfill;

    @Test
    void everyWordOfAChineseSentenceFindsItsMessage() {
        var user = api().register();
        var conversation = conversation(user);
        var imported = api().post(
                        "/api/conversations/" + conversation + "/messages/import",
                        user.token(),
                        "{\"messages\":[{\"role\":\"user\",\"content\":\"" + QUESTION + "\"},"
                                + "{\"role\":\"assistant\",\"content\":\"" + ADVICE + "\"}]}");
        assertThat(imported.status()).isEqualTo(201);

        assertThat(contents(search(user, "缓存"))).containsExactlyInAnyOrder(QUESTION, ADVICE);
        assertThat(contents(search(user, "过期时间"))).containsExactlyInAnyOrder(QUESTION, ADVICE);
        assertThat(contents(search(user, "十五分钟"))).containsExactly(ADVICE);
        assertThat(contents(search(user, "Redis"))).containsExactly(QUESTION);
        assertThat(contents(search(user, "会话 -配置"))).containsExactly(ADVICE);
        assertThat(search(user, "缓存过期").path("items"))
                .as("not next to each other anywhere")
                .isEmpty();
        assertThat(search(user, "十五分钟").path("items").get(0).path("snippet").asString())
                .contains("«十五»«分钟»");
    }

    @Test
    void japaneseThaiAndEnglishAreFoundTheirOwnWay() {
        var user = api().register();
        var conversation = conversation(user);
        for (var text : List.of(
                "東京都に住んでいます。猫が好きです。", "ภาษาไทยไม่มีการเว้นวรรคระหว่างคำ", "The caches were expiring too quickly")) {
            api().post(
                            "/api/conversations/" + conversation + "/messages/import",
                            user.token(),
                            "{\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}");
        }

        assertThat(contents(search(user, "東京"))).containsExactly("東京都に住んでいます。猫が好きです。");
        assertThat(contents(search(user, "ระหว่าง"))).containsExactly("ภาษาไทยไม่มีการเว้นวรรคระหว่างคำ");
        var english = search(user, "cache expire").path("items");
        assertThat(english.size()).isEqualTo(1);
        assertThat(english.get(0).path("snippet").asString())
                .as("English keeps its stemming")
                .contains("«caches»", "«expiring»");
    }

    @Test
    void aMessageWrittenByAChatTurnIsFoundByItsChineseWords() {
        var user = api().register();
        var conversation = conversation(user);

        var turn = api().post(
                        "/api/conversations/" + conversation + "/messages",
                        user.token(),
                        "{\"content\":\"" + ADVICE + "\"}");

        assertThat(turn.status()).isEqualTo(200);
        assertThat(contents(search(user, "会话"))).contains(ADVICE);
    }

    @Test
    void aChineseDocumentIsFoundByItsWords() {
        var user = api().register();
        var manual = """
                # ln

                ln 命令用来为文件创建链接。使用 -s 选项可以创建一个符号链接，而不是硬链接。
                """;
        var other = "# 天气\n\n今天的天气很好，适合出去散步。\n";
        var document = upload(user, "ln.md", manual);
        upload(user, "weather.md", other);

        var hits = api().post("/api/documents/search", user.token(), "{\"query\":\"符号链接\",\"k\":3}")
                .json()
                .path("items");

        assertThat(hits.size()).isPositive();
        assertThat(hits.get(0).path("documentId").asString()).isEqualTo(document);
    }

    @Test
    void aChineseQuestionFindsItsDocumentByMeaningAndEachTextHasTheModelOfItsScript() {
        var user = api().register();
        var coffee = upload(user, "coffee.md", "# 咖啡\n\n意式浓缩要用细磨的豆子，水温保持在九十到九十六度之间，萃取大约二十五秒。\n");
        upload(user, "stars.md", "# 天文\n\n土星环在小型望远镜里清晰可见。仙女座星系离我们约二百五十万光年。\n");
        upload(user, "garden.md", "# Garden\n\nWater tomatoes in the morning and mulch the beds in summer.\n");

        // no word of the question is in any document: only its meaning finds the answer
        var hits = api().post("/api/documents/search", user.token(), "{\"query\":\"冲一杯意式饮品需要多热的水？\",\"k\":3}")
                .json()
                .path("items");
        var models = jdbc.sql("""
                        select distinct d.filename, c.embedding_model from document_chunks c
                          join documents d on d.id = c.document_id where c.user_id = :user order by 1
                        """)
                .param("user", user.id())
                .query((rs, row) -> rs.getString(1) + " " + rs.getString(2))
                .list();

        assertThat(hits.get(0).path("documentId").asString()).isEqualTo(coffee);
        assertThat(hits.get(0).path("textMatch").asBoolean()).isFalse();
        assertThat(models)
                .containsExactly(
                        "coffee.md bge-small-zh-v15-q", "garden.md all-minilm-l6-v2-q", "stars.md bge-small-zh-v15-q");
    }

    @Test
    void rowsWrittenBeforeWordsWereBrokenAreFoundAfterTheBackfill() {
        var user = api().register();
        var conversation = conversation(user);
        var id = Uuid7.next();
        // a message as an older release wrote it: no words
        jdbc.sql("""
                        insert into messages (id, conversation_id, user_id, seq, role, content, created_at)
                        values (:id, :conversation, :user, 1, 'user', :content, :at)
                        """)
                .param("id", id)
                .param("conversation", UUID.fromString(conversation))
                .param("user", user.id())
                .param("content", "数据库连接池的大小应该是多少")
                .param("at", Instant.now().atOffset(java.time.ZoneOffset.UTC))
                .update();
        jdbc.sql("update word_backfill set after_id = null, done_at = null").update();
        assertThat(search(user, "连接池").path("items")).isEmpty();

        backfill.runToEnd();

        assertThat(contents(search(user, "连接池"))).containsExactly("数据库连接池的大小应该是多少");
    }

    private String conversation(Api.Account user) {
        return api().post("/api/conversations", user.token(), "{\"title\":\"多语言\"}")
                .json()
                .path("id")
                .asString();
    }

    private JsonNode search(Api.Account user, String query) {
        var response = api().get("/api/search?q=" + URLEncoder.encode(query, StandardCharsets.UTF_8), user.token());
        assertThat(response.status()).isEqualTo(200);
        return response.json();
    }

    private List<String> contents(JsonNode page) {
        var texts = new ArrayList<String>();
        for (var hit : page.path("items")) {
            texts.add(hit.path("snippet").asString().replace("«", "").replace("»", ""));
        }
        return texts;
    }

    private String upload(Api.Account user, String name, String text) {
        var id = api().upload("/api/documents", user.token(), name, text.getBytes(StandardCharsets.UTF_8))
                .json()
                .path("id")
                .asString();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline
                && api().get("/api/documents/" + id, user.token())
                        .json()
                        .path("status")
                        .asString()
                        .equals("processing")) {
            Thread.onSpinWait();
        }
        return id;
    }
}
