package dev.colloquy.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class CursorsTest {

    private static final String SECRET = "a-test-secret-that-is-long-enough-0123456789";
    private final Instant now = Instant.parse("2026-11-28T10:00:00Z");
    private final Cursors cursors =
            new Cursors(new CursorProperties(SECRET, Duration.ofHours(1)), Clock.fixed(now, ZoneOffset.UTC));

    @Test
    void decodesWhatItEncodedToMicrosecondPrecision() {
        var position = new KeysetPosition(Instant.parse("2026-11-28T09:59:59.123456789Z"), Uuid7.next());

        var decoded = cursors.decode("list:a", cursors.encode("list:a", position));

        assertThat(decoded.id()).isEqualTo(position.id());
        assertThat(decoded.at()).isEqualTo(Instant.parse("2026-11-28T09:59:59.123456Z"));
    }

    @Test
    void cursorsAreUrlSafe() {
        var cursor = cursors.encode("list:a", new KeysetPosition(now, Uuid7.next()));

        assertThat(cursor).matches("[A-Za-z0-9_-]+");
    }

    @Test
    void rejectsCursorOfAnotherScope() {
        var cursor = cursors.encode("conversations:alice", new KeysetPosition(now, Uuid7.next()));

        assertThatThrownBy(() -> cursors.decode("conversations:bob", cursor)).isInstanceOf(InvalidCursor.class);
    }

    @Test
    void rejectsForgedCursor() {
        var raw = Base64.getUrlDecoder().decode(cursors.encode("list:a", new KeysetPosition(now, Uuid7.next())));
        raw[12] ^= 1;
        var forged = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);

        assertThatThrownBy(() -> cursors.decode("list:a", forged)).isInstanceOf(InvalidCursor.class);
    }

    @Test
    void rejectsGarbageAndTruncatedCursors() {
        var cursor = cursors.encode("list:a", new KeysetPosition(now, Uuid7.next()));

        assertThatThrownBy(() -> cursors.decode("list:a", "not a cursor!")).isInstanceOf(InvalidCursor.class);
        assertThatThrownBy(() -> cursors.decode("list:a", cursor.substring(0, 20)))
                .isInstanceOf(InvalidCursor.class);
    }

    @Test
    void rejectsExpiredCursor() {
        var cursor = cursors.encode("list:a", new KeysetPosition(now, Uuid7.next()));
        var later = new Cursors(
                new CursorProperties(SECRET, Duration.ofHours(1)),
                Clock.fixed(now.plus(Duration.ofHours(2)), ZoneOffset.UTC));

        assertThatThrownBy(() -> later.decode("list:a", cursor)).isInstanceOf(InvalidCursor.class);
    }

    @Test
    void rejectsCursorSignedWithAnotherSecret() {
        var cursor = cursors.encode("list:a", new KeysetPosition(now, Uuid7.next()));
        var other = new Cursors(
                new CursorProperties("another-secret-also-long-enough-0123456789", Duration.ofHours(1)),
                Clock.fixed(now, ZoneOffset.UTC));

        assertThatThrownBy(() -> other.decode("list:a", cursor)).isInstanceOf(InvalidCursor.class);
    }
}
