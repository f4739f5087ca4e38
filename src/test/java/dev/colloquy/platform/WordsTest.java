package dev.colloquy.platform;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Words in scripts without spaces, as the full-text index and its queries get them. */
class WordsTest {

    @Test
    void textInSpacedScriptsIsLeftToPostgresql() {
        assertThat(Words.forIndex("The caches were expiring quickly, didn't they?"))
                .isNull();
        assertThat(Words.forIndex("Ünïcödé, Кириллица и ελληνικά")).isNull();
        assertThat(Words.forQuery("cache -redis \"exact phrase\" or ttl"))
                .isEqualTo("cache -redis \"exact phrase\" or ttl");
    }

    @Test
    void chineseIsBrokenIntoWordsAndEnglishInsideItIsKept() {
        var indexed = Words.forIndex("我们应该如何配置Redis缓存的过期时间？");

        assertThat(indexed.split("\\s+"))
                .contains("我们", "配置", "Redis", "过期", "时间")
                .doesNotContain("？");
        assertThat(Words.words("建议把会话缓存的过期时间设为十五分钟")).contains("会话", "过期", "时间", "十五", "分钟");
    }

    @Test
    void aRankedSearchAsksForTheSubjectOfAChineseQuestion() {
        assertThat(Words.searchTerms("如何创建一个符号链接"))
                .as("链接 is not in the dictionary: its characters stay together")
                .containsExactly("创建", "符号", "\"链 接\"");
        assertThat(Words.searchTerms("怎么删除非空的目录")).containsExactly("删除", "\"非 空\"", "目录");
    }

    @Test
    void aQueryKeepsTheWordsOfARunTogetherAsAPhrase() {
        assertThat(Words.forQuery("过期时间")).isEqualTo("\"过期 时间\"");
        assertThat(Words.forQuery("Redis 过期时间 -缓存"))
                .as("operators stay where they were")
                .isEqualTo("Redis \"过期 时间\" -\"缓 存\"");
        assertThat(Words.forQuery("\"如何配置\""))
                .as("inside the user's quotes, no quotes of our own")
                .isEqualTo("\"如何 配置 \"");
    }

    @Test
    void japaneseAndThaiAreBrokenByDictionary() {
        assertThat(Words.words("東京都に住んでいます")).contains("東京");
        assertThat(Words.words("ภาษาไทยไม่มีการเว้นวรรคระหว่างคำ")).contains("ภาษา", "ไทย", "ระหว่าง", "คำ");
        assertThat(Words.forIndex("ภาษาไทย")).isNotNull();
    }

    @Test
    void aSnippetMarksTheWordsOfTheQueryInTheText() {
        var text = "第一段。".repeat(30) + "建议把会话缓存的过期时间设为十五分钟。" + "结尾。".repeat(30);

        var snippet = Words.highlight(text, "过期时间 十五分钟", 60);

        assertThat(snippet).contains("«过期»«时间»", "«十五»«分钟»").startsWith("…").endsWith("…");
        assertThat(snippet.length()).isLessThan(90);
    }
}
