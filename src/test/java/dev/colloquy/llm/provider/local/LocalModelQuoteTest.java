package dev.colloquy.llm.provider.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** The built-in model quotes whole sentences, also in languages whose sentences take no space after them. */
class LocalModelQuoteTest {

    @Test
    void quotesTheChineseSentenceThatHasTheWords() {
        var passage = "会话数据保存在数据库中。建议把会话缓存的过期时间设为十五分钟！其他设置保持默认。";

        assertThat(LocalModel.quote(passage, Set.of("过期", "时间"))).isEqualTo("建议把会话缓存的过期时间设为十五分钟！");
    }

    @Test
    void quotesEnglishSentencesAsBefore() {
        var passage = "Sessions live in the database. Set the cache expiry to fifteen minutes. Keep the rest.";

        assertThat(LocalModel.quote(passage, Set.of("expiry"))).isEqualTo("Set the cache expiry to fifteen minutes.");
    }

    @Test
    void joinsChineseSentencesWithoutSpaces() {
        var passage = "缓存很快。缓存很小。";

        assertThat(LocalModel.quote(passage, Set.of("缓存"))).isEqualTo("缓存很快。缓存很小。");
    }
}
