package dev.colloquy.user;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SecretTokensTest {

    @Test
    void hashIsSha256AndStaysRightFromManyThreadsAtOnce() throws Exception {
        // FIPS 180-2's example: SHA-256("abc")
        var abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assertThat(HexFormat.of().formatHex(SecretTokens.hash("abc"))).isEqualTo(abc);
        try (var threads = Executors.newFixedThreadPool(8)) {
            var tasks = IntStream.range(0, 8)
                    .mapToObj(t -> (Callable<Boolean>) () -> {
                        for (int i = 0; i < 2_000; i++) {
                            if (!HexFormat.of()
                                    .formatHex(SecretTokens.hash("abc"))
                                    .equals(abc)) {
                                return false;
                            }
                        }
                        return true;
                    })
                    .toList();
            for (var result : threads.invokeAll(tasks)) {
                assertThat(result.get()).isTrue();
            }
        }
    }
}
