package dev.colloquy;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/** Small images of one colour, encoded by the JDK, for the tests that attach images. */
public final class TestImages {

    private TestImages() {}

    public static byte[] png(int width, int height, Color colour) {
        return encoded("png", width, height, colour);
    }

    public static byte[] jpeg(int width, int height, Color colour) {
        return encoded("jpeg", width, height, colour);
    }

    private static byte[] encoded(String format, int width, int height, Color colour) {
        var image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        var graphics = image.createGraphics();
        graphics.setColor(colour);
        graphics.fillRect(0, 0, width, height);
        graphics.dispose();
        var out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, format, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
