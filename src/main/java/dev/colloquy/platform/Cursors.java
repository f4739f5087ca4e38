package dev.colloquy.platform;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Opaque, URL-safe, tamper-evident keyset cursors. A cursor carries its position and expiry, signed
 * with HMAC-SHA256 over the list's scope (for example the caller and the list), so a cursor altered,
 * expired, or taken from another list or user is refused rather than answered with a wrong page.
 */
@Component
public class Cursors {

    private static final Logger log = LoggerFactory.getLogger(Cursors.class);
    private static final byte VERSION = 1;
    private static final int PAYLOAD = 1 + 8 + 8 + 16;
    private static final int TAG = 16;

    private final SecretKeySpec key;
    private final CursorProperties properties;
    private final Clock clock;

    @Autowired
    Cursors(CursorProperties properties) {
        this(properties, Clock.systemUTC());
    }

    Cursors(CursorProperties properties, Clock clock) {
        this.properties = properties;
        this.clock = clock;
        byte[] secret;
        if (properties.secret() == null || properties.secret().isBlank()) {
            log.warn(
                    "colloquy.cursors.secret is not set: paging cursors will not survive a restart or work across replicas");
            secret = new byte[32];
            new SecureRandom().nextBytes(secret);
        } else {
            secret = properties.secret().getBytes(StandardCharsets.UTF_8);
        }
        this.key = new SecretKeySpec(secret, "HmacSHA256");
    }

    public String encode(String scope, KeysetPosition position) {
        var payload = ByteBuffer.allocate(PAYLOAD + TAG)
                .put(VERSION)
                .putLong(clock.instant().plus(properties.ttl()).getEpochSecond())
                .putLong(micros(position.at()))
                .putLong(position.id().getMostSignificantBits())
                .putLong(position.id().getLeastSignificantBits());
        payload.put(tag(scope, Arrays.copyOf(payload.array(), PAYLOAD)));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(payload.array());
    }

    /** Where the page after this cursor starts; null for the first page (no cursor). */
    public @Nullable KeysetPosition after(String scope, @Nullable String cursor) {
        return cursor == null || cursor.isEmpty() ? null : decode(scope, cursor);
    }

    /**
     * The page of up to {@code limit} rows, from a query that asked for {@code limit + 1}: the extra
     * row only tells that there is a next page, whose cursor points after the last row kept.
     */
    public <T> Page<T> page(List<T> rows, int limit, String scope, Function<T, KeysetPosition> positionOf) {
        if (rows.size() <= limit) {
            return new Page<>(rows, null);
        }
        var items = rows.subList(0, limit);
        return new Page<>(items, encode(scope, positionOf.apply(items.getLast())));
    }

    public KeysetPosition decode(String scope, String cursor) {
        byte[] raw;
        try {
            raw = Base64.getUrlDecoder().decode(cursor);
        } catch (IllegalArgumentException e) {
            throw new InvalidCursor();
        }
        if (raw.length != PAYLOAD + TAG || raw[0] != VERSION) {
            throw new InvalidCursor();
        }
        var payload = Arrays.copyOf(raw, PAYLOAD);
        if (!MessageDigest.isEqual(tag(scope, payload), Arrays.copyOfRange(raw, PAYLOAD, PAYLOAD + TAG))) {
            throw new InvalidCursor();
        }
        var buffer = ByteBuffer.wrap(payload, 1, PAYLOAD - 1);
        if (buffer.getLong() < clock.instant().getEpochSecond()) {
            throw new InvalidCursor();
        }
        long micros = buffer.getLong();
        var at = Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
        return new KeysetPosition(at, new UUID(buffer.getLong(), buffer.getLong()));
    }

    private byte[] tag(String scope, byte[] payload) {
        try {
            var mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update(scope.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            return Arrays.copyOf(mac.doFinal(payload), TAG);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    private static long micros(Instant at) {
        return Math.addExact(Math.multiplyExact(at.getEpochSecond(), 1_000_000L), at.getNano() / 1_000L);
    }
}
