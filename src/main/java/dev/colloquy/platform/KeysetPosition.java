package dev.colloquy.platform;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/** Where a keyset page ends: the sort timestamp (microsecond precision, as PostgreSQL keeps it) and id. */
public record KeysetPosition(Instant at, UUID id) {

    public KeysetPosition {
        at = at.truncatedTo(ChronoUnit.MICROS);
    }
}
