package dev.colloquy.llm;

import java.util.Base64;
import org.jspecify.annotations.Nullable;

/**
 * What an image in a prompt costs, by OpenAI's rule: 85 tokens at {@code detail: low}; otherwise the
 * image is scaled to fit 2048x2048, then its shorter side to 768, and each 512x512 tile costs 170 on
 * top of the 85. The size is read from the header of a data URL (PNG, JPEG, GIF, WebP); for an
 * http(s) image, which the gateway does not download, a 1024x1024 image is assumed (765 tokens).
 */
final class ImageTokens {

    static final int LOW = 85;
    static final int UNKNOWN_SIZE = 765;
    private static final int PER_TILE = 170;
    /** Enough of the bytes for any of the headers read here, as base64. */
    private static final int HEADER_CHARS = 64 * 1024;

    private ImageTokens() {}

    static int of(ContentPart.Image image) {
        if ("low".equals(image.detail())) {
            return LOW;
        }
        var data = image.dataUrl();
        var size = data == null ? null : size(data[1]);
        return size == null ? UNKNOWN_SIZE : tiles(size[0], size[1]);
    }

    /** OpenAI's tile rule for an image of this size at high detail. */
    static int tiles(int width, int height) {
        double w = width;
        double h = height;
        if (w > 2048 || h > 2048) {
            double scale = 2048 / Math.max(w, h);
            w *= scale;
            h *= scale;
        }
        double shorter = Math.min(w, h);
        if (shorter > 768) {
            double scale = 768 / shorter;
            w *= scale;
            h *= scale;
        }
        long tiles = (long) Math.ceil(w / 512) * (long) Math.ceil(h / 512);
        return (int) (LOW + PER_TILE * tiles);
    }

    /** Width and height from the image's header, or null when it is none of the known formats. */
    static int @Nullable [] size(String base64) {
        byte[] bytes;
        try {
            var head = base64.length() > HEADER_CHARS ? base64.substring(0, HEADER_CHARS) : base64;
            bytes = Base64.getMimeDecoder().decode(head.substring(0, head.length() - head.length() % 4));
        } catch (IllegalArgumentException notBase64) {
            return null;
        }
        if (bytes.length >= 24 && (bytes[0] & 0xff) == 0x89 && bytes[1] == 'P' && bytes[2] == 'N' && bytes[3] == 'G') {
            return new int[] {int32(bytes, 16), int32(bytes, 20)};
        }
        if (bytes.length >= 10 && bytes[0] == 'G' && bytes[1] == 'I' && bytes[2] == 'F') {
            return new int[] {int16le(bytes, 6), int16le(bytes, 8)};
        }
        if (bytes.length >= 30 && bytes[0] == 'R' && bytes[8] == 'W' && bytes[12] == 'V' && bytes[15] == '8') {
            return webp(bytes);
        }
        if (bytes.length >= 4 && (bytes[0] & 0xff) == 0xff && (bytes[1] & 0xff) == 0xd8) {
            return jpeg(bytes);
        }
        return null;
    }

    private static int @Nullable [] webp(byte[] b) {
        return switch (b[15]) {
            case ' ' -> new int[] {int16le(b, 26) & 0x3fff, int16le(b, 28) & 0x3fff}; // VP8, lossy
            case 'L' -> {
                int bits = (b[21] & 0xff) | (b[22] & 0xff) << 8 | (b[23] & 0xff) << 16 | (b[24] & 0xff) << 24;
                yield new int[] {(bits & 0x3fff) + 1, (bits >> 14 & 0x3fff) + 1}; // VP8L, lossless
            }
            case 'X' -> new int[] {int24le(b, 24) + 1, int24le(b, 27) + 1}; // VP8X, extended
            default -> null;
        };
    }

    /** The size in the first start-of-frame marker. */
    private static int @Nullable [] jpeg(byte[] b) {
        int at = 2;
        while (at + 9 < b.length) {
            if ((b[at] & 0xff) != 0xff) {
                return null;
            }
            int marker = b[at + 1] & 0xff;
            int length = (b[at + 2] & 0xff) << 8 | (b[at + 3] & 0xff);
            boolean startOfFrame =
                    marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc;
            if (startOfFrame) {
                return new int[] {
                    (b[at + 7] & 0xff) << 8 | (b[at + 8] & 0xff), (b[at + 5] & 0xff) << 8 | (b[at + 6] & 0xff)
                };
            }
            at += 2 + length;
        }
        return null;
    }

    private static int int32(byte[] b, int at) {
        return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | (b[at + 3] & 0xff);
    }

    private static int int16le(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8;
    }

    private static int int24le(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16;
    }
}
