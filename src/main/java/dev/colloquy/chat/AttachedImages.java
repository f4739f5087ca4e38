package dev.colloquy.chat;

import dev.colloquy.conversation.NewImage;
import dev.colloquy.platform.Uuid7;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.springframework.stereotype.Component;
import org.springframework.web.multipart.MultipartFile;

/**
 * What an image attached to a question must be before anything is stored: one of
 * {@code maxPerMessage}, at most {@code maxBytes} as sent and {@code maxSide} pixels a side, a PNG,
 * JPEG, GIF or WebP by its bytes (the name and declared type are not trusted), kept without its
 * metadata.
 */
@Component
class AttachedImages {

    private final ImageProperties limits;

    AttachedImages(ImageProperties limits) {
        this.limits = limits;
    }

    List<NewImage> read(List<MultipartFile> files) {
        if (files.size() > limits.maxPerMessage()) {
            throw UnacceptableImage.tooMany(files.size(), limits.maxPerMessage());
        }
        var images = new ArrayList<NewImage>(files.size());
        for (int i = 0; i < files.size(); i++) {
            var file = files.get(i);
            var name = "Image " + (i + 1);
            long maxBytes = limits.maxBytes().toBytes();
            if (file.getSize() > maxBytes) {
                throw UnacceptableImage.tooLarge(name, file.getSize(), maxBytes);
            }
            ImageFormats.Cleaned cleaned;
            try {
                cleaned = ImageFormats.clean(file.getBytes());
            } catch (ImageFormats.NotAnImage e) {
                throw UnacceptableImage.notAnImage(name, e.getMessage());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (cleaned.width() > limits.maxSide() || cleaned.height() > limits.maxSide()) {
                throw UnacceptableImage.tooWide(name, cleaned.width(), cleaned.height(), limits.maxSide());
            }
            images.add(new NewImage(
                    Uuid7.next(), cleaned.mediaType(), cleaned.width(), cleaned.height(), cleaned.bytes()));
        }
        return images;
    }
}
