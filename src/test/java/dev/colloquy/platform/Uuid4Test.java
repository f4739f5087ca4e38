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

    @Test
    void hexIsTheSameUuidWithoutDashes() {
        for (int i = 0; i < 1_000; i++) {
            var hex = Uuid4.hex();
            assertThat(hex).matches("[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}");
            var id = UUID.fromString(hex.replaceFirst("(.{8})(.{4})(.{4})(.{4})(.{12})", "$1-$2-$3-$4-$5"));
            assertThat(id.version()).isEqualTo(4);
        }
    }
}
