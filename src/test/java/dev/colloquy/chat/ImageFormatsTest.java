package dev.colloquy.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class ImageFormatsTest {

    @Test
    void aJpegLosesItsExifCommentsAndTrailingDataButKeepsItsPixelsAndOrientation() throws Exception {
        var jpeg = encoded("jpeg", 40, 30);
        // after the JFIF segment: EXIF naming the camera and turning the picture, a comment, IPTC
        var withMetadata = concat(
                Arrays.copyOfRange(jpeg, 0, 20),
                segment(0xe1, concat(ascii("Exif\0\0"), exif(6, "Canon"))),
                segment(0xfe, ascii("secret comment")),
                segment(0xed, ascii("Photoshop 3.0\0IPTC city Paris")),
                Arrays.copyOfRange(jpeg, 20, jpeg.length),
                ascii("TRAILING second picture"));

        var cleaned = ImageFormats.clean(withMetadata);

        assertThat(cleaned.mediaType()).isEqualTo("image/jpeg");
        assertThat(cleaned.width()).isEqualTo(40);
        assertThat(cleaned.height()).isEqualTo(30);
        var text = new String(cleaned.bytes(), StandardCharsets.ISO_8859_1);
        assertThat(text).doesNotContain("Canon", "secret", "Paris", "TRAILING").contains("JFIF", "Exif");
        assertThat(indexOf(cleaned.bytes(), new byte[] {0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6}))
                .as("the orientation, big-endian, 6 (turned right)")
                .isPositive();
        var decoded = ImageIO.read(new ByteArrayInputStream(cleaned.bytes()));
        assertThat(decoded.getWidth()).isEqualTo(40);
        assertThat(new Color(decoded.getRGB(5, 5)).getRed()).isGreaterThan(200);
    }

    @Test
    void aJpegWithoutOrientationGetsNoExifAtAll() throws Exception {
        var jpeg = encoded("jpeg", 16, 16);
        var withMetadata = concat(
                Arrays.copyOfRange(jpeg, 0, 20),
                segment(0xe1, concat(ascii("Exif\0\0"), exif(1, "Nikon"))),
                Arrays.copyOfRange(jpeg, 20, jpeg.length));

        var cleaned = new String(ImageFormats.clean(withMetadata).bytes(), StandardCharsets.ISO_8859_1);

        assertThat(cleaned).doesNotContain("Exif", "Nikon");
    }

    @Test
    void aPngLosesItsTextAndExifChunks() throws Exception {
        var png = encoded("png", 20, 10);
        int afterHeader = 8 + 12 + 13;
        var withMetadata = concat(
                Arrays.copyOfRange(png, 0, afterHeader),
                chunk("tEXt", ascii("Author\0Jane Doe")),
                chunk("eXIf", exif(1, "Canon")),
                Arrays.copyOfRange(png, afterHeader, png.length));

        var cleaned = ImageFormats.clean(withMetadata);

        assertThat(cleaned.mediaType()).isEqualTo("image/png");
        assertThat(cleaned.width()).isEqualTo(20);
        assertThat(cleaned.height()).isEqualTo(10);
        assertThat(new String(cleaned.bytes(), StandardCharsets.ISO_8859_1)).doesNotContain("Jane", "Canon");
        assertThat(cleaned.bytes()).isEqualTo(png);
    }

    @Test
    void aGifLosesItsCommentsAndApplicationData() throws Exception {
        var gif = encoded("gif", 12, 8);
        var withMetadata = concat(
                Arrays.copyOfRange(gif, 0, gif.length - 1),
                new byte[] {0x21, (byte) 0xfe, 14},
                ascii("secret comment"),
                new byte[] {0, 0x21, (byte) 0xff, 11},
                ascii("XMP DataXMP"),
                new byte[] {9},
                ascii("GPS 48.85"),
                new byte[] {0, 0x3b});

        var cleaned = ImageFormats.clean(withMetadata);

        assertThat(cleaned.mediaType()).isEqualTo("image/gif");
        assertThat(cleaned.width()).isEqualTo(12);
        assertThat(new String(cleaned.bytes(), StandardCharsets.ISO_8859_1)).doesNotContain("secret", "GPS", "XMP");
        assertThat(ImageIO.read(new ByteArrayInputStream(cleaned.bytes())).getHeight())
                .isEqualTo(8);
    }

    @Test
    void aWebpLosesItsExifAndXmpChunksAndTheFlagsThatAnnounceThem() throws Exception {
        var vp8x = new byte[] {0x0c | 0x10, 0, 0, 0, (byte) 199, 0, 0, 99, 0, 0}; // EXIF, XMP, alpha; 200x100
        var vp8l = new byte[] {0x2f, 0, 0, 0, 0, 1, 2, 3};
        var webp = riff(concat(
                webpChunk("VP8X", vp8x),
                webpChunk("VP8L", vp8l),
                webpChunk("EXIF", exif(1, "Canon")),
                webpChunk("XMP ", ascii("<x:xmpmeta>Jane</x:xmpmeta>"))));

        var cleaned = ImageFormats.clean(webp);

        assertThat(cleaned.mediaType()).isEqualTo("image/webp");
        assertThat(cleaned.width()).isEqualTo(200);
        assertThat(cleaned.height()).isEqualTo(100);
        assertThat(cleaned.bytes())
                .isEqualTo(riff(concat(
                        webpChunk("VP8X", new byte[] {0x10, 0, 0, 0, (byte) 199, 0, 0, 99, 0, 0}),
                        webpChunk("VP8L", vp8l))));
    }

    @Test
    void refusesWhatIsNotAWholeImage() throws Exception {
        var png = encoded("png", 8, 8);
        var badChecksum = png.clone();
        badChecksum[30] ^= 1;
        var jpeg = encoded("jpeg", 8, 8);

        assertThatThrownBy(() -> ImageFormats.clean(ascii("<svg onload=alert(1)>")))
                .hasMessageContaining("not a PNG, JPEG, GIF or WebP");
        assertThatThrownBy(() -> ImageFormats.clean(ascii("%PDF-1.7 named picture.png")))
                .isInstanceOf(ImageFormats.NotAnImage.class);
        assertThatThrownBy(() -> ImageFormats.clean(badChecksum)).hasMessageContaining("checksum");
        assertThatThrownBy(() -> ImageFormats.clean(Arrays.copyOf(png, png.length - 12)))
                .hasMessageContaining("cut short");
        assertThatThrownBy(() -> ImageFormats.clean(Arrays.copyOf(jpeg, jpeg.length / 2)))
                .isInstanceOf(ImageFormats.NotAnImage.class);
        var gif = encoded("gif", 8, 8);
        assertThatThrownBy(() -> ImageFormats.clean(Arrays.copyOf(gif, gif.length - 1)))
                .hasMessageContaining("trailer");
        assertThatThrownBy(() -> ImageFormats.clean(riff(webpChunk("EXIF", exif(1, "x")))))
                .hasMessageContaining("no picture");
    }

    // ---- building images with metadata ----

    private static byte[] encoded(String format, int width, int height) throws IOException {
        var image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        var graphics = image.createGraphics();
        graphics.setColor(Color.RED);
        graphics.fillRect(0, 0, width, height);
        graphics.dispose();
        var out = new ByteArrayOutputStream();
        assertThat(ImageIO.write(image, format, out)).isTrue();
        return out.toByteArray();
    }

    /** A little-endian EXIF block: the orientation and the camera's make. */
    private static byte[] exif(int orientation, String make) {
        var makeBytes = ascii(make + "\0");
        int makeAt = 8 + 2 + 2 * 12 + 4;
        var out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {'I', 'I', 42, 0, 8, 0, 0, 0, 2, 0});
        out.writeBytes(new byte[] {0x0f, 0x01, 2, 0, (byte) makeBytes.length, 0, 0, 0, (byte) makeAt, 0, 0, 0});
        out.writeBytes(new byte[] {0x12, 0x01, 3, 0, 1, 0, 0, 0, (byte) orientation, 0, 0, 0});
        out.writeBytes(new byte[] {0, 0, 0, 0});
        out.writeBytes(makeBytes);
        return out.toByteArray();
    }

    private static byte[] segment(int marker, byte[] data) {
        int length = data.length + 2;
        return concat(new byte[] {(byte) 0xff, (byte) marker, (byte) (length >> 8), (byte) length}, data);
    }

    private static byte[] chunk(String type, byte[] data) {
        var crc = new CRC32();
        crc.update(ascii(type));
        crc.update(data);
        long c = crc.getValue();
        int n = data.length;
        return concat(
                new byte[] {(byte) (n >> 24), (byte) (n >> 16), (byte) (n >> 8), (byte) n},
                ascii(type),
                data,
                new byte[] {(byte) (c >> 24), (byte) (c >> 16), (byte) (c >> 8), (byte) c});
    }

    private static byte[] webpChunk(String type, byte[] data) {
        int n = data.length;
        var padding = new byte[n & 1];
        return concat(
                ascii(type), new byte[] {(byte) n, (byte) (n >> 8), (byte) (n >> 16), (byte) (n >> 24)}, data, padding);
    }

    private static byte[] riff(byte[] chunks) {
        int n = chunks.length + 4;
        return concat(
                ascii("RIFF"),
                new byte[] {(byte) n, (byte) (n >> 8), (byte) (n >> 16), (byte) (n >> 24)},
                ascii("WEBP"),
                chunks);
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] concat(byte[]... parts) {
        var out = new ByteArrayOutputStream();
        for (var part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        return -1;
    }
}
