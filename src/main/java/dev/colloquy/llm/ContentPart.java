package dev.colloquy.llm;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** One part of a user's message, as OpenAI's content parts name them. */
public sealed interface ContentPart {

    record Text(String text) implements ContentPart {
        public Text {
            Objects.requireNonNull(text, "text");
        }
    }

    /**
     * An image by URL: {@code http(s)} or a {@code data:} URL with base64 bytes. The gateway downloads
     * nothing; upstreams fetch http(s) images themselves.
     *
     * @param detail OpenAI's {@code low}, {@code high} or {@code auto}, if given
     */
    record Image(String url, @Nullable String detail) implements ContentPart {
        public Image {
            Objects.requireNonNull(url, "url");
        }

        /** The media type and base64 bytes of a data URL, else null. */
        public String @Nullable [] dataUrl() {
            return ContentPart.dataUrl(url);
        }
    }

    /** The media type and base64 bytes of a {@code data:...;base64,...} URL, else null. */
    static String @Nullable [] dataUrl(String url) {
        if (!url.startsWith("data:")) {
            return null;
        }
        int comma = url.indexOf(',');
        int semicolon = url.indexOf(";base64");
        if (comma < 0 || semicolon < 0 || semicolon > comma) {
            return null;
        }
        return new String[] {url.substring(5, semicolon), url.substring(comma + 1)};
    }

    /** Base64 audio with its format ({@code wav}, {@code mp3}). */
    record Audio(String data, String format) implements ContentPart {}

    /** A file by id or inline base64 data. */
    record File(
            @Nullable String fileId,
            @Nullable String filename,
            @Nullable String fileData) implements ContentPart {

        /** The media type and base64 bytes of inline file data, else null. */
        public String @Nullable [] dataUrl() {
            return fileData == null ? null : ContentPart.dataUrl(fileData);
        }
    }
}
