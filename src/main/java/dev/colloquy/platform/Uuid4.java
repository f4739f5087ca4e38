package dev.colloquy.platform;

import java.util.HexFormat;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Random UUIDs (RFC 9562 version 4) from the thread's own generator, for ids that only tell things
 * apart: request ids, the ids of streamed answers. Not for secrets, nor for ids a guess could misuse:
 * {@link UUID#randomUUID} (secure randomness, behind one lock for every thread) is for those. It took
 * about 1% of a gateway call's CPU for the two ids each call makes (bench/run-gateway's profile).
 */
public final class Uuid4 {

    private static final HexFormat HEX = HexFormat.of();

    private Uuid4() {}

    public static UUID next() {
        var random = ThreadLocalRandom.current();
        long high = (random.nextLong() & ~0xF000L) | 0x4000L;
        long low = (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(high, low);
    }

    /** One as 32 lowercase hex digits, without dashes: the ids of answers ({@code chatcmpl-...}, {@code msg_...}). */
    public static String hex() {
        var id = next();
        return HEX.toHexDigits(id.getMostSignificantBits()) + HEX.toHexDigits(id.getLeastSignificantBits());
    }
}
