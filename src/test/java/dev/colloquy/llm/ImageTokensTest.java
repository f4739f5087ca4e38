package dev.colloquy.llm;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Base64;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class ImageTokensTest {

    @Test
    void countsTilesAsOpenAiDoes() {
        // OpenAI's own examples: 1024x1024 is 765 tokens, 2048x4096 is 1105
        assertThat(ImageTokens.tiles(1024, 1024)).isEqualTo(765);
        assertThat(ImageTokens.tiles(2048, 4096)).isEqualTo(1105);
        assertThat(ImageTokens.tiles(100, 100)).isEqualTo(255);
    }

    @Test
    void readsTheSizeOfPngJpegAndGifDataUrls() throws IOException {
        for (var format : new String[] {"png", "jpeg", "gif"}) {
            var image = new ContentPart.Image("data:image/" + format + ";base64," + encoded(format, 1600, 900), "high");

            // scaled to 1365x768: 3 x 2 tiles
            assertThat(ImageTokens.of(image)).as(format).isEqualTo(85 + 170 * 6);
        }
    }

    @Test
    void assumesATypicalSizeWhereItCannotSeeOneAndLowDetailIsFixed() {
        assertThat(ImageTokens.of(new ContentPart.Image("https://example.test/a.png", null)))
                .isEqualTo(765);
        assertThat(ImageTokens.of(new ContentPart.Image("data:image/png;base64,bm90IGFuIGltYWdl", null)))
                .isEqualTo(765);
        assertThat(ImageTokens.of(new ContentPart.Image("https://example.test/a.png", "low")))
                .isEqualTo(85);
    }

    private static String encoded(String format, int width, int height) throws IOException {
        var image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        var out = new ByteArrayOutputStream();
        ImageIO.write(image, format, out);
        return Base64.getEncoder().encodeToString(out.toByteArray());
    }
}
