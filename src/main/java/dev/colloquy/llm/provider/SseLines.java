package dev.colloquy.llm.provider;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * The lines of an upstream's event stream (ended by LF, CR or CRLF), read from its bytes. Before a
 * read that would wait for the network it runs the caller's {@link Waiting} step: what the lines so
 * far made is pushed to the client then, once per burst of events the upstream sent together rather
 * than once per event, and never later than the wait.
 */
final class SseLines implements Closeable {

    /** What to do before waiting for the upstream. */
    @FunctionalInterface
    interface Waiting {
        void beforeWaiting() throws IOException;
    }

    /** A line longer than this is no event of any provider: the stream is broken. */
    static final int MAX_LINE = 32 * 1024 * 1024;

    private final InputStream in;
    /** Room for a few chunks; grows for a longer line (the largest allocation of a call at 8 KB). */
    private byte[] buffer = new byte[2 * 1024];

    private int start;
    private int end;
    private boolean skipLineFeed;

    SseLines(InputStream in) {
        this.in = in;
    }

    /** The next line without its end, or null at the end of the stream. */
    @Nullable
    String next(Waiting waiting) throws IOException {
        while (true) {
            if (skipLineFeed && start < end) {
                skipLineFeed = false;
                if (buffer[start] == '\n') {
                    start++;
                }
            }
            for (int i = start; i < end; i++) {
                if (buffer[i] == '\n' || buffer[i] == '\r') {
                    var line = new String(buffer, start, i - start, StandardCharsets.UTF_8);
                    skipLineFeed = buffer[i] == '\r';
                    start = i + 1;
                    return line;
                }
            }
            if (start > 0) {
                System.arraycopy(buffer, start, buffer, 0, end - start);
                end -= start;
                start = 0;
            }
            if (end == buffer.length) {
                if (buffer.length >= MAX_LINE) {
                    throw new IOException("an event stream line longer than " + MAX_LINE + " bytes");
                }
                buffer = Arrays.copyOf(buffer, Math.min(MAX_LINE, buffer.length * 2));
            }
            if (in.available() <= 0) {
                waiting.beforeWaiting();
            }
            int read = in.read(buffer, end, buffer.length - end);
            if (read < 0) {
                if (end > start) {
                    var last = new String(buffer, start, end - start, StandardCharsets.UTF_8);
                    start = end;
                    return last;
                }
                return null;
            }
            end += read;
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
