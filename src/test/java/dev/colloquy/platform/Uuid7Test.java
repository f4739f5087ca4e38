package dev.colloquy.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class Uuid7Test {

    @Test
    void isVersion7WithTheRfcVariant() {
        var id = Uuid7.next();

        assertThat(id.version()).isEqualTo(7);
        assertThat(id.variant()).isEqualTo(2);
    }

    @Test
    void carriesTheCurrentUnixMillisecond() {
        long before = System.currentTimeMillis();
        var id = Uuid7.next();
        long after = System.currentTimeMillis();

        long millis = id.getMostSignificantBits() >>> 16;
        assertThat(millis).isBetween(before, after + 1);
    }

    @Test
    void idsMadeInARowIncreaseAndNeverRepeat() {
        var ids = new ArrayList<UUID>();
        for (int i = 0; i < 50_000; i++) {
            ids.add(Uuid7.next());
        }

        assertThat(new HashSet<>(ids)).hasSize(ids.size());
        for (int i = 1; i < ids.size(); i++) {
            assertThat(Long.compareUnsigned(
                            ids.get(i).getMostSignificantBits(), ids.get(i - 1).getMostSignificantBits()))
                    .isPositive();
        }
    }
}
