package dev.colloquy.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class Uuid4Test {

    @Test
    void idsAreDistinctVersionFourUuids() {
        var seen = new HashSet<UUID>();
        for (int i = 0; i < 10_000; i++) {
            var id = Uuid4.next();
            assertThat(id.version()).isEqualTo(4);
            assertThat(id.variant()).isEqualTo(2);
            assertThat(UUID.fromString(id.toString())).isEqualTo(id);
            seen.add(id);
        }
        assertThat(seen).hasSize(10_000);
    }
}
