package dev.colloquy.llm.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseLinesTest {

    @Test
    void linesEndWithLineFeedCarriageReturnOrBoth() throws IOException {
        var lines = read(List.of("data: a\ndata: b\r\ndata: c\rdata: d"));

        assertThat(lines).containsExactly("data: a", "data: b", "data: c", "data: d");
    }

    @Test
    void aCharacterSplitAcrossReadsIsDecodedWhole() throws IOException {
        var bytes = "data: 缓存\n".getBytes(StandardCharsets.UTF_8);
        var first = new String(bytes, 0, 8, StandardCharsets.ISO_8859_1);
        var rest = new String(bytes, 8, bytes.length - 8, StandardCharsets.ISO_8859_1);

        assertThat(read(List.of(first, rest), StandardCharsets.ISO_8859_1)).containsExactly("data: 缓存");
    }

    @Test
    void aCarriageReturnAndItsLineFeedInTwoReadsEndOneLine() throws IOException {
        assertThat(read(List.of("data: a\r", "\ndata: b\n"))).containsExactly("data: a", "data: b");
    }

    @Test
    void waitsAreAnnouncedOnlyWhenNothingIsLeftToRead() throws IOException {
        // two events in one read, then one more: the caller is told twice before reading, not per line
        var in = new Reads(List.of("data: 1\n\ndata: 2\n\n", "data: 3\n\n"), StandardCharsets.UTF_8);
        var seen = new ArrayList<String>();
        try (var lines = new SseLines(in)) {
            for (var line = lines.next(() -> seen.add("wait"));
                    line != null;
                    line = lines.next(() -> seen.add("wait"))) {
                if (!line.isEmpty()) {
                    seen.add(line);
                }
            }
        }

        assertThat(seen).containsExactly("wait", "data: 1", "data: 2", "wait", "data: 3", "wait");
    }

    private static List<String> read(List<String> reads) throws IOException {
        return read(reads, StandardCharsets.UTF_8);
    }

    private static List<String> read(List<String> reads, java.nio.charset.Charset charset) throws IOException {
        var out = new ArrayList<String>();
        try (var lines = new SseLines(new Reads(reads, charset))) {
            for (var line = lines.next(() -> {}); line != null; line = lines.next(() -> {})) {
                out.add(line);
            }
        }
        return out;
    }

    /** An input stream that hands out each piece in a read of its own, as a network stream would. */
    private static final class Reads extends InputStream {

        private final List<byte[]> pieces = new ArrayList<>();
        private ByteArrayInputStream current = new ByteArrayInputStream(new byte[0]);

        Reads(List<String> pieces, java.nio.charset.Charset charset) {
            pieces.forEach(piece -> this.pieces.add(piece.getBytes(charset)));
        }

        @Override
        public int read() {
            throw new UnsupportedOperationException();
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (current.available() == 0) {
                if (pieces.isEmpty()) {
                    return -1;
                }
                current = new ByteArrayInputStream(pieces.removeFirst());
            }
            return current.read(b, off, len);
        }

        @Override
        public int available() {
            return current.available();
        }
    }
}
