package dev.colloquy.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.aayushatharva.brotli4j.Brotli4jLoader;
import com.aayushatharva.brotli4j.decoder.Decoder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UiAssetsTest {

    @Test
    void aStartFindsEveryBrotliFormTheBuildMade() throws Exception {
        var assets = new UiAssets();

        assertThat(assets.brotliMadeAtStart()).isZero();
        Brotli4jLoader.ensureAvailability();
        var page = assets.page();
        assertThat(Decoder.decompress(page.brotli()).getDecompressedData()).isEqualTo(page.identity());
    }

    @Test
    void theBuildStepWritesOneFormPerFileAndRemovesFormsOfOldContents(@TempDir Path directory) throws Exception {
        var stale = Files.writeString(directory.resolve("0".repeat(64) + ".br"), "an earlier app.js");

        UiAssets.main(new String[] {directory.toString()});

        var assets = new UiAssets();
        try (var files = Files.list(directory)) {
            assertThat(files.toList())
                    .hasSize(1
                            + (int) java.util.stream.StreamSupport.stream(
                                            assets.paths().spliterator(), false)
                                    .count())
                    .doesNotContain(stale);
        }
    }
}
