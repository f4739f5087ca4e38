package dev.colloquy.document;

import static org.assertj.core.api.Assertions.assertThat;

import dev.colloquy.llm.Tokens;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Chunks of Chinese text: cut at its sentences, joined as written, never longer than asked. */
class ChunkerTest {

    private static final String SENTENCE = "建议把会话缓存的过期时间设为十五分钟，以免占用太多内存。";

    @Test
    void aLongChineseParagraphIsCutAtItsFullStopsWithoutSpacesAdded() {
        var paragraph = SENTENCE.repeat(40);
        var chunks = new Chunker(64, 0).chunk(document(paragraph));

        assertThat(chunks).hasSizeGreaterThan(1);
        assertThat(chunks).allSatisfy(chunk -> {
            assertThat(chunk.tokens()).isLessThanOrEqualTo(64);
            assertThat(chunk.content()).endsWith("。").doesNotContain(" ");
        });
        assertThat(String.join("", chunks.stream().map(Chunker.Chunk::content).toList()))
                .isEqualTo(paragraph);
    }

    @Test
    void theOverlapCarriesWholeChineseSentences() {
        var chunks = new Chunker(64, 30).chunk(document(SENTENCE.repeat(12)));

        assertThat(chunks).hasSizeGreaterThan(1);
        assertThat(chunks.get(1).content()).startsWith(SENTENCE).doesNotContain(" ");
    }

    @Test
    void aClauseWithoutAFullStopIsCutIntoPiecesOfAboutAChunk() {
        var clause = "缓存过期时间".repeat(200);
        var chunks = new Chunker(64, 0).chunk(document(clause));

        assertThat(chunks).hasSizeGreaterThan(5);
        assertThat(chunks)
                .allSatisfy(chunk -> assertThat(Tokens.count(chunk.content())).isLessThanOrEqualTo(80));
        assertThat(String.join("", chunks.stream().map(Chunker.Chunk::content).toList()))
                .isEqualTo(clause);
    }

    @Test
    void laterChunksAreEmbeddedAfterTheDocumentsOpeningAndTheirHeadings() {
        var first = new Chunker.Chunk(0, "", null, "LN(1)\n\n名称\n    ln - 在文件间建立链接\n\n概述 ln [选项]... 目标 链接名", 30);
        var later = new Chunker.Chunk(3, "选项", null, "-s, --symbolic 创建符号链接而非硬链接", 15);

        assertThat(Chunker.embeddingText(first, first)).isEqualTo(first.content());
        assertThat(Chunker.embeddingText(first, later))
                .isEqualTo("LN(1) 名称 ln - 在文件间建立链接 概述 ln [选项]... 目标 链接名\n选项\n-s, --symbolic 创建符号链接而非硬链接");
    }

    @Test
    void theOpeningIsCutAtItsTokenLimitNeverInsideACharacter() {
        var long_ = ("缓存过期时间𠀋" + SENTENCE).repeat(20);

        var opening = Chunker.opening(long_, Chunker.OPENING_TOKENS);

        assertThat(Tokens.count(opening)).isLessThanOrEqualTo(Chunker.OPENING_TOKENS);
        assertThat(Tokens.count(long_.substring(0, opening.length() + 2))).isGreaterThan(Chunker.OPENING_TOKENS);
        assertThat(long_).startsWith(opening);
        assertThat(Character.isHighSurrogate(opening.charAt(opening.length() - 1)))
                .isFalse();
    }

    private static ParsedDocument document(String text) {
        return new ParsedDocument(null, List.of(new ParsedDocument.Block(List.of(), text, null)));
    }
}
