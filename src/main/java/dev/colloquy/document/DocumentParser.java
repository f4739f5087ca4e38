package dev.colloquy.document;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.io.MemoryUsageSetting;
import org.apache.pdfbox.pdmodel.encryption.InvalidPasswordException;
import org.apache.pdfbox.text.PDFTextStripper;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Element;
import org.jspecify.annotations.Nullable;

/**
 * Turns a document's bytes into blocks of text under their headings: Markdown by its {@code #}
 * headings, HTML by its {@code h1}-{@code h6} and block elements (scripts and styles dropped), PDF
 * page by page. Bounded: a PDF may use {@code 4 * max-text-chars} bytes of scratch memory and
 * {@code max-pages} pages, and no document yields more than {@code max-text-chars} characters.
 */
final class DocumentParser {

    private static final Pattern HEADING = Pattern.compile("^(#{1,6})\\s+(.*?)\\s*#*\\s*$");
    private static final Pattern FENCE = Pattern.compile("^\\s*(```|~~~)");
    private static final Pattern PARAGRAPH_BREAK = Pattern.compile("\\n\\s*\\n");
    private static final String HTML_BLOCKS = "h1,h2,h3,h4,h5,h6,p,li,pre,blockquote,td,th,dt,dd,figcaption,caption";

    private final DocumentProperties properties;

    DocumentParser(DocumentProperties properties) {
        this.properties = properties;
    }

    /**
     * @param expired whether to give up, asked as a PDF's content streams are read: the parse took
     *     too long, or the service is stopping
     */
    ParsedDocument parse(String contentType, byte[] content, BooleanSupplier expired) throws DocumentUnreadable {
        var parsed = switch (contentType) {
            case ContentTypes.PDF -> pdf(content, expired);
            case ContentTypes.HTML -> html(text(content));
            case ContentTypes.MARKDOWN -> markdown(text(content));
            default -> plain(text(content));
        };
        long chars = parsed.blocks().stream().mapToLong(b -> b.text().length()).sum();
        if (chars > properties.maxTextChars()) {
            throw new DocumentUnreadable("The document holds more than " + properties.maxTextChars()
                    + " characters of text (colloquy.documents.max-text-chars)");
        }
        if (parsed.blocks().isEmpty()) {
            throw new DocumentUnreadable(
                    contentType.equals(ContentTypes.PDF)
                            ? "The PDF has no extractable text (a scan without a text layer?)"
                            : "The document has no text");
        }
        return parsed;
    }

    private String text(byte[] content) throws DocumentUnreadable {
        if (content.length > (long) properties.maxTextChars() * 4) {
            throw new DocumentUnreadable("The document holds more than " + properties.maxTextChars()
                    + " characters of text (colloquy.documents.max-text-chars)");
        }
        try {
            return ContentTypes.decodeText(content).replace("\r\n", "\n").replace('\r', '\n');
        } catch (UnsupportedDocument e) {
            throw new DocumentUnreadable(e.getMessage());
        }
    }

    static ParsedDocument plain(String text) {
        var blocks = new ArrayList<ParsedDocument.Block>();
        for (var paragraph : PARAGRAPH_BREAK.split(text)) {
            addBlock(blocks, List.of(), paragraph, null);
        }
        return new ParsedDocument(null, blocks);
    }

    static ParsedDocument markdown(String text) {
        var blocks = new ArrayList<ParsedDocument.Block>();
        var headings = new ArrayList<String>();
        var levels = new ArrayList<Integer>();
        var paragraph = new StringBuilder();
        boolean inFence = false;
        for (var line : text.split("\n", -1)) {
            if (FENCE.matcher(line).find()) {
                paragraph.append(line).append('\n');
                if (inFence) {
                    addBlock(blocks, headings, paragraph.toString(), null);
                    paragraph.setLength(0);
                }
                inFence = !inFence;
                continue;
            }
            if (inFence) {
                paragraph.append(line).append('\n');
                continue;
            }
            var heading = HEADING.matcher(line);
            if (heading.matches()) {
                addBlock(blocks, headings, paragraph.toString(), null);
                paragraph.setLength(0);
                int level = heading.group(1).length();
                while (!levels.isEmpty() && levels.getLast() >= level) {
                    levels.removeLast();
                    headings.removeLast();
                }
                levels.add(level);
                headings.add(heading.group(2).strip());
            } else if (line.isBlank()) {
                addBlock(blocks, headings, paragraph.toString(), null);
                paragraph.setLength(0);
            } else {
                paragraph.append(line).append('\n');
            }
        }
        addBlock(blocks, headings, paragraph.toString(), null);
        return new ParsedDocument(null, blocks);
    }

    static ParsedDocument html(String markup) {
        var document = Jsoup.parse(markup);
        document.select("script,style,noscript,template,svg,head").remove();
        var blocks = new ArrayList<ParsedDocument.Block>();
        var headings = new ArrayList<String>();
        var levels = new ArrayList<Integer>();
        var selected = document.body().select(HTML_BLOCKS);
        for (Element element : selected) {
            if (hasBlockAncestor(element)) {
                continue;
            }
            var tag = element.normalName();
            if (tag.length() == 2 && tag.charAt(0) == 'h' && Character.isDigit(tag.charAt(1))) {
                int level = tag.charAt(1) - '0';
                while (!levels.isEmpty() && levels.getLast() >= level) {
                    levels.removeLast();
                    headings.removeLast();
                }
                levels.add(level);
                headings.add(element.text().strip());
            } else {
                addBlock(blocks, headings, tag.equals("pre") ? element.wholeText() : element.text(), null);
            }
        }
        if (selected.isEmpty()) {
            addBlock(blocks, List.of(), document.body().text(), null);
        }
        return new ParsedDocument(null, blocks);
    }

    private static boolean hasBlockAncestor(Element element) {
        for (var parent = element.parent(); parent != null; parent = parent.parent()) {
            if (parent.is(HTML_BLOCKS)) {
                return true;
            }
        }
        return false;
    }

    private ParsedDocument pdf(byte[] content, BooleanSupplier expired) throws DocumentUnreadable {
        var memory = MemoryUsageSetting.setupMainMemoryOnly((long) properties.maxTextChars() * 4);
        try (var pdf = Loader.loadPDF(content, "", null, null, memory.streamCache)) {
            int pages = pdf.getNumberOfPages();
            if (pages > properties.maxPages()) {
                throw new DocumentUnreadable("The PDF has " + pages + " pages; at most " + properties.maxPages()
                        + " are read (colloquy.documents.max-pages)");
            }
            var stripper = new BoundedStripper(properties.maxTextChars(), expired);
            stripper.setSortByPosition(true);
            var blocks = new ArrayList<ParsedDocument.Block>();
            long chars = 0;
            for (int page = 1; page <= pages; page++) {
                stripper.setStartPage(page);
                stripper.setEndPage(page);
                var text = stripper.getText(pdf).replace("\r\n", "\n");
                chars += text.length();
                if (chars > properties.maxTextChars()) {
                    throw new DocumentUnreadable("The PDF holds more than " + properties.maxTextChars()
                            + " characters of text (colloquy.documents.max-text-chars)");
                }
                for (var paragraph : PARAGRAPH_BREAK.split(text)) {
                    addBlock(blocks, List.of(), paragraph, page);
                }
            }
            return new ParsedDocument(pages, blocks);
        } catch (BoundedStripper.LimitReached e) {
            throw new DocumentUnreadable(e.getMessage());
        } catch (InvalidPasswordException e) {
            throw new DocumentUnreadable("The PDF is encrypted with a password; upload it without one");
        } catch (IOException | RuntimeException e) {
            // PDFBox reports truncated, malformed and oversized files alike as I/O or runtime errors
            throw new DocumentUnreadable("The PDF could not be read: " + brief(e.getMessage()));
        }
    }

    /**
     * A text stripper that stops as soon as the text passes the limit or the deadline passes, rather
     * than after the page: one page's content stream can inflate to gigabytes.
     */
    private static final class BoundedStripper extends PDFTextStripper {

        static final class LimitReached extends RuntimeException {
            LimitReached(String message) {
                super(message, null, false, false);
            }
        }

        private final long maxChars;
        private final BooleanSupplier expired;
        private long chars;
        private int operators;

        BoundedStripper(long maxChars, BooleanSupplier expired) {
            this.maxChars = maxChars;
            this.expired = expired;
        }

        @Override
        protected void processTextPosition(org.apache.pdfbox.text.TextPosition text) {
            chars += text.getUnicode() == null ? 1 : text.getUnicode().length();
            if (chars > maxChars) {
                throw new LimitReached("The PDF holds more than " + maxChars
                        + " characters of text (colloquy.documents.max-text-chars)");
            }
            super.processTextPosition(text);
        }

        @Override
        protected void processOperator(
                org.apache.pdfbox.contentstream.operator.Operator operator,
                java.util.List<org.apache.pdfbox.cos.COSBase> operands)
                throws IOException {
            if (++operators % 4096 == 0 && expired.getAsBoolean()) {
                throw new LimitReached("Reading the PDF took longer than colloquy.documents.parse-timeout");
            }
            super.processOperator(operator, operands);
        }
    }

    private static void addBlock(
            List<ParsedDocument.Block> blocks, List<String> headings, String text, @Nullable Integer page) {
        var cleaned = text.replace('\u00a0', ' ').replaceAll("[ \\t\\f]+", " ").strip();
        if (!cleaned.isEmpty()) {
            blocks.add(new ParsedDocument.Block(headings, cleaned, page));
        }
    }

    private static String brief(String message) {
        if (message == null || message.isBlank()) {
            return "it is malformed or truncated";
        }
        var oneLine = message.replaceAll("\\s+", " ").strip();
        return oneLine.length() > 200 ? oneLine.substring(0, 200) + "..." : oneLine;
    }
}
