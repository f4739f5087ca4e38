package dev.colloquy.document;

import dev.colloquy.llm.Tokens;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Cuts a parsed document into chunks of about {@code chunk-tokens} tokens that never straddle a
 * heading or a page: blocks of one section are packed together; a block too long on its own is cut at
 * sentences, and a sentence too long at words. Within a section each chunk after the first starts
 * with the last {@code chunk-overlap} tokens' worth of sentences of the one before.
 */
final class Chunker {

    record Chunk(int position, String headingPath, @Nullable Integer page, String content, int tokens) {}

    /**
     * Tokens of a document's opening that go before every later chunk when it is embedded: a manual
     * page's name line, a report's title, which the chunk's own text rarely repeats. On the manual
     * pages of bench/retrieval/manpages it raised the vector half's hit@1 from 0.60 to 0.68-0.72 in
     * Chinese and kept English at 0.88 (BENCHMARKS.md, "Retrieval in Chinese and English").
     */
    static final int OPENING_TOKENS = 64;

    /**
     * The text embedded for a chunk: the document's opening (the first {@link #OPENING_TOKENS} tokens
     * of its first chunk) unless this is that chunk, then the chunk's headings, then its text.
     */
    static String embeddingText(Chunk first, Chunk chunk) {
        var text = new StringBuilder();
        if (chunk.position() != first.position()) {
            text.append(opening(first.content(), OPENING_TOKENS)).append('\n');
        }
        if (!chunk.headingPath().isEmpty()) {
            text.append(chunk.headingPath()).append('\n');
        }
        return text.append(chunk.content()).toString();
    }

    /** The longest start of the text, spaces collapsed, of at most {@code tokens} tokens. */
    static String opening(String text, int tokens) {
        var flat = WHITESPACE.matcher(text.strip()).replaceAll(" ");
        if (Tokens.count(flat) <= tokens) {
            return flat;
        }
        int low = 0; // a start of this many chars fits
        int high = flat.length();
        while (low < high) {
            int middle = (low + high + 1) >>> 1;
            if (Tokens.count(flat.substring(0, middle)) <= tokens) {
                low = middle;
            } else {
                high = middle - 1;
            }
        }
        if (low > 0 && low < flat.length() && Character.isHighSurrogate(flat.charAt(low - 1))) {
            low--; // never half of a character
        }
        return flat.substring(0, low);
    }

    /** After . ! ? and a space, or after the full-width marks of Chinese and Japanese, spaced or not. */
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private static final Pattern SENTENCE = Pattern.compile("(?<=[.!?])\\s+|(?<=[。！？])\\s*");

    private final int target;
    private final int overlap;

    Chunker(int target, int overlap) {
        this.target = target;
        this.overlap = overlap;
    }

    List<Chunk> chunk(ParsedDocument document) {
        var chunks = new ArrayList<Chunk>();
        var pieces = new ArrayList<String>();
        int tokens = 0;
        String section = null;
        Integer page = null;
        Integer sectionPage = null;
        for (var block : document.blocks()) {
            var path = block.headingPath();
            // a chunk never straddles a heading, nor a page (so a citation names the page it is on)
            if (!path.equals(section) || !Objects.equals(block.page(), sectionPage)) {
                sectionPage = block.page();
                flush(chunks, section, page, pieces, false);
                tokens = 0;
                section = path;
                page = block.page();
            }
            for (var piece : fit(block.text())) {
                int pieceTokens = Tokens.count(piece);
                if (tokens > 0 && tokens + pieceTokens > target) {
                    var carried = flush(chunks, section, page, pieces, true);
                    tokens = carried.stream().mapToInt(Tokens::count).sum();
                    page = block.page();
                }
                if (pieces.isEmpty()) {
                    page = block.page();
                }
                pieces.add(piece);
                tokens += pieceTokens;
            }
        }
        flush(chunks, section, page, pieces, false);
        return chunks;
    }

    /** Emits the pieces as a chunk; keeps (and returns) the tail to overlap with the next when asked. */
    private List<String> flush(
            List<Chunk> chunks, @Nullable String section, @Nullable Integer page, List<String> pieces, boolean carry) {
        var kept = new ArrayList<String>();
        if (pieces.isEmpty()) {
            return kept;
        }
        var content = String.join("\n\n", pieces);
        chunks.add(new Chunk(
                chunks.size(), Objects.requireNonNullElse(section, ""), page, content, Tokens.count(content)));
        if (carry && overlap > 0) {
            var sentences = SENTENCE.split(pieces.getLast());
            int carried = 0;
            for (int i = sentences.length - 1; i >= 0; i--) {
                int t = Tokens.count(sentences[i]);
                if (carried + t > overlap) {
                    break;
                }
                kept.addFirst(sentences[i]);
                carried += t;
            }
        }
        pieces.clear();
        if (!kept.isEmpty()) {
            pieces.add(joined(kept));
        }
        return List.copyOf(pieces);
    }

    /** The block as pieces no longer than a chunk: itself, or its sentences, or runs of its words. */
    private List<String> fit(String text) {
        if (Tokens.count(text) <= target) {
            return List.of(text);
        }
        var pieces = new ArrayList<String>();
        var current = new StringBuilder();
        int currentTokens = 0;
        for (var sentence : SENTENCE.split(text)) {
            int t = Tokens.count(sentence);
            if (t > target) {
                if (!current.isEmpty()) {
                    pieces.add(current.toString());
                    current.setLength(0);
                    currentTokens = 0;
                }
                pieces.addAll(words(sentence));
                continue;
            }
            if (currentTokens + t > target && !current.isEmpty()) {
                pieces.add(current.toString());
                current.setLength(0);
                currentTokens = 0;
            }
            current.append(spaceBetween(current, sentence)).append(sentence);
            currentTokens += t;
        }
        if (!current.isEmpty()) {
            pieces.add(current.toString());
        }
        return pieces;
    }

    private List<String> words(String sentence) {
        var pieces = new ArrayList<String>();
        var current = new StringBuilder();
        for (var word : sentence.split("\\s+")) {
            if (!current.isEmpty() && Tokens.count(current + " " + word) > target) {
                pieces.add(current.toString());
                current.setLength(0);
            }
            int wordTokens = Tokens.count(word);
            if (wordTokens > target) {
                // one "word" longer than a chunk (a base64 blob, a Chinese clause without a full stop):
                // cut it by characters, as many to a piece as make about a chunk's tokens
                int step = (int) Math.max(1, (long) target * word.length() / wordTokens);
                for (int i = 0; i < word.length(); ) {
                    int end = Math.min(word.length(), i + step);
                    if (end < word.length() && Character.isHighSurrogate(word.charAt(end - 1))) {
                        end++; // never half of a character
                    }
                    pieces.add(word.substring(i, end));
                    i = end;
                }
                continue;
            }
            current.append(current.isEmpty() ? "" : " ").append(word);
        }
        if (!current.isEmpty()) {
            pieces.add(current.toString());
        }
        return pieces;
    }

    /** Sentences joined as they were written: Chinese and Japanese ones end in a mark and no space. */
    private static String joined(List<String> sentences) {
        var text = new StringBuilder();
        for (var sentence : sentences) {
            text.append(spaceBetween(text, sentence)).append(sentence);
        }
        return text.toString();
    }

    private static String spaceBetween(CharSequence before, String next) {
        return before.isEmpty() || "。！？".indexOf(before.charAt(before.length() - 1)) >= 0 ? "" : " ";
    }
}
