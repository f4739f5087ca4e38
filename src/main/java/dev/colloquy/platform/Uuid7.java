package dev.colloquy.platform;

import java.security.SecureRandom;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Time-ordered UUIDs (RFC 9562 version 7): 48 bits of Unix milliseconds, then a 12-bit counter that
 * keeps ids made in the same millisecond by this process increasing, then 62 random bits.
 */
public final class Uuid7 {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final AtomicLong LAST = new AtomicLong();

    private Uuid7() {}

    public static UUID next() {
        long now = System.currentTimeMillis() << 12;
        long stamp = LAST.updateAndGet(previous -> Math.max(now, previous + 1));
        long millis = stamp >>> 12;
        long counter = stamp & 0xFFF;
        long high = (millis << 16) | 0x7000L | counter;
        long low = (RANDOM.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(high, low);
    }
}
