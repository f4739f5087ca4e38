package dev.colloquy.document;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A document's text in reading order, as blocks (paragraphs, list items, code) under their headings.
 *
 * @param pages the page count of a paged format (PDF), else null
 */
record ParsedDocument(@Nullable Integer pages, List<Block> blocks) {

    /**
     * @param headings the headings above the block, outermost first
     * @param page the page the block is on, for paged formats
     */
    record Block(
            List<String> headings, String text, @Nullable Integer page) {

        Block {
            headings = List.copyOf(headings);
        }

        String headingPath() {
            return String.join(" > ", headings);
        }
    }

    ParsedDocument {
        blocks = List.copyOf(blocks);
    }
}
