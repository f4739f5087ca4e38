package dev.colloquy.chat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;
import java.util.zip.CRC32;

/**
 * PNG, JPEG, GIF and WebP as read from their bytes, never from a name or a declared type, and
 * rewritten without what describes the picture rather than draws it: camera, place and time
 * (EXIF, XMP, IPTC), comments, text chunks, embedded thumbnails. The pixels are copied as they
 * are, never decoded and encoded again, so nothing is lost and a decompression bomb is never
 * expanded here. A JPEG's orientation, which decides how it is shown, survives as a minimal EXIF
 * block of that one tag.
 */
final class ImageFormats {

    /** An image as read: its type, its size in pixels, and its bytes without metadata. */
    record Cleaned(String mediaType, int width, int height, byte[] bytes) {}

    /** Bytes that are not an image of a known format, or a broken one. */
    static final class NotAnImage extends Exception {
        NotAnImage(String why) {
            super(why, null, false, false);
        }
    }

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    /** Chunks that draw the picture or say how its colours look; text, time and EXIF chunks are not among them. */
    private static final Set<String> PNG_KEPT = Set.of(
            "IHDR", "PLTE", "IDAT", "IEND", "tRNS", "gAMA", "cHRM", "sRGB", "iCCP", "sBIT", "bKGD", "pHYs", "acTL",
            "fcTL", "fdAT");

    private ImageFormats() {}

    static Cleaned clean(byte[] b) throws NotAnImage {
        var cleaned = read(b);
        if (cleaned.width() < 1 || cleaned.height() < 1) {
            throw new NotAnImage("its header gives it no size");
        }
        return cleaned;
    }

    private static Cleaned read(byte[] b) throws NotAnImage {
        if (startsWith(b, PNG_SIGNATURE)) {
            return png(b);
        }
        if (b.length > 3 && u8(b, 0) == 0xff && u8(b, 1) == 0xd8 && u8(b, 2) == 0xff) {
            return jpeg(b);
        }
        if (startsWith(b, ascii("GIF87a")) || startsWith(b, ascii("GIF89a"))) {
            return gif(b);
        }
        if (b.length >= 12 && startsWith(b, ascii("RIFF")) && startsWith(b, 8, ascii("WEBP"))) {
            return webp(b);
        }
        throw new NotAnImage("it is not a PNG, JPEG, GIF or WebP image");
    }

    // ---- PNG: a signature, then chunks of length, type, data and CRC, IHDR first and IEND last ----

    private static Cleaned png(byte[] b) throws NotAnImage {
        var out = new ByteArrayOutputStream(b.length);
        out.write(b, 0, 8);
        int at = 8;
        int width = 0;
        int height = 0;
        boolean ended = false;
        while (!ended) {
            need(b, at + 12, "a PNG chunk is cut short");
            long length = u32(b, at);
            var type = new String(b, at + 4, 4, StandardCharsets.ISO_8859_1);
            need(b, at + 12 + length, "a PNG chunk is cut short");
            int size = (int) length;
            var crc = new CRC32();
            crc.update(b, at + 4, 4 + size);
            if (crc.getValue() != u32(b, at + 8 + size)) {
                throw new NotAnImage("a PNG chunk's checksum is wrong");
            }
            if (at == 8) {
                if (!type.equals("IHDR") || size != 13) {
                    throw new NotAnImage("a PNG must open with its header");
                }
                width = (int) Math.min(Integer.MAX_VALUE, u32(b, at + 8));
                height = (int) Math.min(Integer.MAX_VALUE, u32(b, at + 12));
            }
            if (PNG_KEPT.contains(type)) {
                out.write(b, at, 12 + size);
            }
            ended = type.equals("IEND");
            at += 12 + size;
        }
        return new Cleaned("image/png", width, height, out.toByteArray());
    }

    // ---- JPEG: markers and segments, then entropy-coded scans, until the end-of-image marker ----

    private static Cleaned jpeg(byte[] b) throws NotAnImage {
        var out = new ByteArrayOutputStream(b.length);
        out.write(0xff);
        out.write(0xd8);
        int at = 2;
        int width = -1;
        int height = -1;
        int orientation = 1;
        boolean orientationWritten = false;
        for (; ; ) {
            need(b, at + 2, "the JPEG has no end");
            if (u8(b, at) != 0xff) {
                throw new NotAnImage("a JPEG marker is missing");
            }
            int marker = u8(b, at + 1);
            if (marker == 0xff) {
                at++; // fill byte
                continue;
            }
            if (marker == 0xd9) {
                out.write(0xff);
                out.write(0xd9);
                break; // anything after the end (a second picture, appended data) is left out
            }
            if (marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
                out.write(b, at, 2);
                at += 2;
                continue;
            }
            need(b, at + 4, "a JPEG segment is cut short");
            int length = u16(b, at + 2);
            if (length < 2) {
                throw new NotAnImage("a JPEG segment has a wrong length");
            }
            need(b, at + 2 + length, "a JPEG segment is cut short");
            int data = at + 4;
            int dataLength = length - 2;
            boolean startOfFrame =
                    marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc;
            if (startOfFrame) {
                need(b, data + 5, "a JPEG frame header is cut short");
                height = u16(b, data + 1);
                width = u16(b, data + 3);
            }
            if (marker == 0xe1 && startsWith(b, data, ascii("Exif\0\0"))) {
                orientation = exifOrientation(b, data + 6, data + dataLength);
            }
            boolean kept = !(marker >= 0xe0 && marker <= 0xef || marker == 0xfe)
                    || marker == 0xe0 && startsWith(b, data, ascii("JFIF\0"))
                    || marker == 0xe2 && startsWith(b, data, ascii("ICC_PROFILE\0"))
                    || marker == 0xee && startsWith(b, data, ascii("Adobe"));
            if (!orientationWritten && orientation != 1 && !(marker == 0xe0 || marker == 0xe1)) {
                out.writeBytes(orientationSegment(orientation));
                orientationWritten = true;
            }
            if (kept) {
                out.write(b, at, 2 + length);
            }
            at += 2 + length;
            if (marker == 0xda) {
                int end = endOfScan(b, at);
                out.write(b, at, end - at);
                at = end;
            }
        }
        if (width < 0) {
            throw new NotAnImage("the JPEG has no frame");
        }
        return new Cleaned("image/jpeg", width, height, out.toByteArray());
    }

    /** Where the entropy-coded data that starts at {@code at} ends: the first marker that is not a restart. */
    private static int endOfScan(byte[] b, int at) throws NotAnImage {
        for (int i = at; i + 1 < b.length; i++) {
            if (u8(b, i) == 0xff) {
                int next = u8(b, i + 1);
                if (next != 0x00 && next != 0xff && !(next >= 0xd0 && next <= 0xd7)) {
                    return i;
                }
            }
        }
        throw new NotAnImage("the JPEG has no end");
    }

    /** The orientation tag (0x0112) of an EXIF block's first directory; 1 (as stored) when absent. */
    private static int exifOrientation(byte[] b, int tiff, int end) {
        if (tiff + 8 > end) {
            return 1;
        }
        boolean little = b[tiff] == 'I';
        long directory = tiff + read32(b, tiff + 4, little);
        if (directory + 2 > end) {
            return 1;
        }
        int entries = read16(b, (int) directory, little);
        for (int i = 0; i < entries; i++) {
            int entry = (int) directory + 2 + 12 * i;
            if (entry + 12 > end) {
                return 1;
            }
            if (read16(b, entry, little) == 0x0112) {
                int value = read16(b, entry + 8, little);
                return value >= 1 && value <= 8 ? value : 1;
            }
        }
        return 1;
    }

    /** An APP1 segment holding a big-endian EXIF block with the orientation tag alone. */
    private static byte[] orientationSegment(int orientation) {
        return new byte[] {
            (byte) 0xff,
            (byte) 0xe1,
            0,
            34,
            'E',
            'x',
            'i',
            'f',
            0,
            0, // marker, length, EXIF header
            'M',
            'M',
            0,
            42,
            0,
            0,
            0,
            8, // TIFF header, the directory at 8
            0,
            1,
            0x01,
            0x12,
            0,
            3,
            0,
            0,
            0,
            1,
            0,
            (byte) orientation,
            0,
            0, // one SHORT entry
            0,
            0,
            0,
            0 // no next directory
        };
    }

    // ---- GIF: header, screen descriptor and colour table, then extensions and images to the trailer ----

    private static Cleaned gif(byte[] b) throws NotAnImage {
        need(b, 13, "the GIF header is cut short");
        int width = u16le(b, 6);
        int height = u16le(b, 8);
        int at = 13 + colourTable(u8(b, 10));
        need(b, at, "the GIF colour table is cut short");
        var out = new ByteArrayOutputStream(b.length);
        out.write(b, 0, at);
        boolean image = false;
        for (; ; ) {
            need(b, at + 1, "the GIF has no trailer");
            int block = u8(b, at);
            if (block == 0x3b) {
                out.write(0x3b);
                break;
            }
            int start = at;
            if (block == 0x21) {
                need(b, at + 2, "a GIF extension is cut short");
                int label = u8(b, at + 1);
                boolean looping = label == 0xff
                        && at + 14 <= b.length
                        && u8(b, at + 2) == 11
                        && (startsWith(b, at + 3, ascii("NETSCAPE2.0")) || startsWith(b, at + 3, ascii("ANIMEXTS1.0")));
                at = subBlocks(b, at + 2);
                // comments (0xfe) and application data (XMP and the like) go; frames' timing and looping stay
                if (label == 0xf9 || label == 0x01 || looping) {
                    out.write(b, start, at - start);
                }
            } else if (block == 0x2c) {
                need(b, at + 11, "a GIF image descriptor is cut short");
                at += 10 + colourTable(u8(b, at + 9)) + 1; // descriptor, local colours, LZW code size
                at = subBlocks(b, at);
                out.write(b, start, at - start);
                image = true;
            } else {
                throw new NotAnImage("a GIF block is of no known kind");
            }
        }
        if (!image) {
            throw new NotAnImage("the GIF holds no picture");
        }
        return new Cleaned("image/gif", width, height, out.toByteArray());
    }

    private static int colourTable(int packed) {
        return (packed & 0x80) == 0 ? 0 : 3 * (1 << ((packed & 7) + 1));
    }

    /** Past the sub-blocks that start at {@code at}: each a size byte and that many bytes, a zero size last. */
    private static int subBlocks(byte[] b, int at) throws NotAnImage {
        for (; ; ) {
            need(b, at + 1, "a GIF block is cut short");
            int size = u8(b, at);
            at += 1 + size;
            if (size == 0) {
                return at;
            }
        }
    }

    // ---- WebP: a RIFF container of chunks; EXIF and XMP chunks go, and the flags that announce them ----

    private static Cleaned webp(byte[] b) throws NotAnImage {
        long declared = u32le(b, 4) + 8;
        need(b, declared, "the WebP file is cut short");
        int end = (int) declared;
        var chunks = new ByteArrayOutputStream(end);
        int width = -1;
        int height = -1;
        for (int at = 12; at < end; ) {
            need(b, at + 8, "a WebP chunk is cut short");
            var type = new String(b, at, 4, StandardCharsets.ISO_8859_1);
            long size = u32le(b, at + 4);
            long padded = size + (size & 1);
            if (at + 8 + size > end) {
                throw new NotAnImage("a WebP chunk is cut short");
            }
            int data = at + 8;
            switch (type) {
                case "VP8X" -> {
                    need(b, data + 10, "the WebP header is cut short");
                    width = u24le(b, data + 4) + 1;
                    height = u24le(b, data + 7) + 1;
                }
                case "VP8 " -> {
                    if (width < 0) {
                        need(b, data + 10, "the WebP frame is cut short");
                        width = u16le(b, data + 6) & 0x3fff;
                        height = u16le(b, data + 8) & 0x3fff;
                    }
                }
                case "VP8L" -> {
                    if (width < 0) {
                        need(b, data + 5, "the WebP frame is cut short");
                        long bits = u32le(b, data + 1);
                        width = (int) (bits & 0x3fff) + 1;
                        height = (int) (bits >> 14 & 0x3fff) + 1;
                    }
                }
                default -> {}
            }
            int next = (int) Math.min(at + 8 + padded, end);
            if (!type.equals("EXIF") && !type.equals("XMP ")) {
                var chunk = Arrays.copyOfRange(b, at, next);
                if (type.equals("VP8X")) {
                    chunk[8] &= (byte) ~0x0c; // the flags that announce EXIF and XMP chunks
                }
                chunks.writeBytes(chunk);
            }
            at = next;
        }
        if (width < 0) {
            throw new NotAnImage("the WebP file holds no picture");
        }
        var out = new ByteArrayOutputStream(chunks.size() + 12);
        out.writeBytes(ascii("RIFF"));
        int riffSize = chunks.size() + 4;
        out.writeBytes(
                new byte[] {(byte) riffSize, (byte) (riffSize >> 8), (byte) (riffSize >> 16), (byte) (riffSize >>> 24)
                });
        out.writeBytes(ascii("WEBP"));
        out.writeBytes(chunks.toByteArray());
        return new Cleaned("image/webp", width, height, out.toByteArray());
    }

    // ---- bytes ----

    private static void need(byte[] b, long end, String why) throws NotAnImage {
        if (end > b.length) {
            throw new NotAnImage(why);
        }
    }

    private static boolean startsWith(byte[] b, byte[] prefix) {
        return startsWith(b, 0, prefix);
    }

    private static boolean startsWith(byte[] b, int at, byte[] prefix) {
        return at + prefix.length <= b.length && Arrays.equals(b, at, at + prefix.length, prefix, 0, prefix.length);
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static int u8(byte[] b, int at) {
        return b[at] & 0xff;
    }

    private static int u16(byte[] b, int at) {
        return u8(b, at) << 8 | u8(b, at + 1);
    }

    private static long u32(byte[] b, int at) {
        return (long) u16(b, at) << 16 | u16(b, at + 2);
    }

    private static int u16le(byte[] b, int at) {
        return u8(b, at) | u8(b, at + 1) << 8;
    }

    private static int u24le(byte[] b, int at) {
        return u16le(b, at) | u8(b, at + 2) << 16;
    }

    private static long u32le(byte[] b, int at) {
        return u24le(b, at) | (long) u8(b, at + 3) << 24;
    }

    private static int read16(byte[] b, int at, boolean little) {
        return little ? u16le(b, at) : u16(b, at);
    }

    private static long read32(byte[] b, int at, boolean little) {
        return little ? u32le(b, at) : u32(b, at);
    }
}
