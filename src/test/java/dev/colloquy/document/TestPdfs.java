package dev.colloquy.document;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import org.apache.pdfbox.cos.COSName;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.PDResources;
import org.apache.pdfbox.pdmodel.common.PDStream;
import org.apache.pdfbox.pdmodel.encryption.AccessPermission;
import org.apache.pdfbox.pdmodel.encryption.StandardProtectionPolicy;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;

/**
 * The PDFs of the tests, written with PDFBox: how {@code documents/field-guide.pdf} and
 * {@code documents/hostile/*.pdf} were made, and the compression bomb, made when a test needs it
 * rather than kept in the repository.
 */
final class TestPdfs {

    private TestPdfs() {}

    static byte[] fieldGuide() throws IOException {
        try (var doc = new PDDocument()) {
            page(
                    doc,
                    "Field guide to alpine plants",
                    "",
                    "Edelweiss grows on limestone ledges between 1,800 and 3,000 metres.",
                    "Its woolly white bracts protect the flowers from cold and ultraviolet light.",
                    "Picking edelweiss is forbidden in Switzerland and Austria.");
            page(
                    doc,
                    "Gentians",
                    "",
                    "The trumpet gentian flowers in June and July and has deep blue blossoms.",
                    "Gentian root is used to make a bitter digestive spirit called Enzian.");
            return save(doc);
        }
    }

    static byte[] truncated() throws IOException {
        var whole = fieldGuide();
        return Arrays.copyOf(whole, whole.length / 2);
    }

    static byte[] encrypted() throws IOException {
        try (var doc = new PDDocument()) {
            page(doc, "Secret plans", "The vault code is 4711.");
            var policy = new StandardProtectionPolicy("owner-secret", "user-secret", new AccessPermission());
            policy.setEncryptionKeyLength(128);
            doc.protect(policy);
            return save(doc);
        }
    }

    /** One page whose content stream inflates to {@code inflatedBytes} of text operators. */
    static byte[] bomb(long inflatedBytes) throws IOException {
        try (var doc = new PDDocument()) {
            var page = new PDPage();
            doc.addPage(page);
            var stream = new PDStream(doc);
            try (var raw = stream.getCOSObject().createRawOutputStream();
                    var deflate = new DeflaterOutputStream(raw, new Deflater(9))) {
                deflate.write("BT /F1 12 Tf 72 720 Td ".getBytes(StandardCharsets.US_ASCII));
                var chunk = ("(" + "a".repeat(64) + ") Tj ").repeat(1000).getBytes(StandardCharsets.US_ASCII);
                for (long written = 0; written < inflatedBytes; written += chunk.length) {
                    deflate.write(chunk);
                }
                deflate.write("ET".getBytes(StandardCharsets.US_ASCII));
            }
            stream.getCOSObject().setItem(COSName.FILTER, COSName.FLATE_DECODE);
            page.setContents(stream);
            var resources = new PDResources();
            resources.put(COSName.getPDFName("F1"), new PDType1Font(Standard14Fonts.FontName.HELVETICA));
            page.setResources(resources);
            return save(doc);
        }
    }

    private static void page(PDDocument doc, String... lines) throws IOException {
        var page = new PDPage();
        doc.addPage(page);
        try (var content = new PDPageContentStream(doc, page)) {
            content.beginText();
            content.setFont(new PDType1Font(Standard14Fonts.FontName.HELVETICA), 11);
            content.setLeading(15);
            content.newLineAtOffset(60, 720);
            for (var line : lines) {
                content.showText(line);
                content.newLine();
            }
            content.endText();
        }
    }

    private static byte[] save(PDDocument doc) throws IOException {
        var out = new ByteArrayOutputStream();
        doc.save(out);
        return out.toByteArray();
    }
}
