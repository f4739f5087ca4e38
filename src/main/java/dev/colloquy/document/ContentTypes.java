package dev.colloquy.document;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Tells a document's type from its bytes, never from its name alone: {@code %PDF-} is a PDF; anything
 * else must be UTF-8 text without NUL or other binary control bytes, and is HTML when it looks like
 * markup, Markdown when it is named so or has Markdown headings, and plain text otherwise.
 */
final class ContentTypes {

    static final String PDF = "application/pdf";
    static final String HTML = "text/html";
    static final String MARKDOWN = "text/markdown";
    static final String TEXT = "text/plain";

    private static final Pattern HTML_START =
            Pattern.compile("\\A\\s*(<!--.*?-->\\s*)*<(!doctype\\s+html|html|head|body)[\\s>]", Pattern.DOTALL);
    private static final Pattern MARKDOWN_HEADING = Pattern.compile("(?m)^#{1,6} \\S");

    private ContentTypes() {}

    /** The type of these bytes, or throws {@link UnsupportedDocument} saying why they are refused. */
    static String detect(byte[] content, String filename) {
        if (content.length == 0) {
            throw new UnsupportedDocument("The file is empty");
        }
        if (startsWith(content, "%PDF-")) {
            return PDF;
        }
        var text = decodeText(content);
        var head = text.substring(0, Math.min(text.length(), 4096)).toLowerCase(Locale.ROOT);
        if (HTML_START.matcher(head).find()) {
            return HTML;
        }
        var name = filename.toLowerCase(Locale.ROOT);
        if (name.endsWith(".md")
                || name.endsWith(".markdown")
                || MARKDOWN_HEADING.matcher(text).find()) {
            return MARKDOWN;
        }
        return TEXT;
    }

    /** Strict UTF-8 (a byte-order mark allowed) with no binary control characters. */
    static String decodeText(byte[] content) {
        String text;
        try {
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(content))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new UnsupportedDocument(
                    "The file is neither a PDF nor UTF-8 text; Colloquy reads PDF, HTML, Markdown and plain text");
        }
        if (!text.isEmpty() && text.charAt(0) == '\uFEFF') {
            text = text.substring(1);
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f') {
                throw new UnsupportedDocument("The file holds binary data (control byte 0x" + Integer.toHexString(c)
                        + " at character " + i + "), not text");
            }
        }
        return text;
    }

    private static boolean startsWith(byte[] content, String prefix) {
        if (content.length < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (content[i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
