package dev.colloquy.chat;

import dev.colloquy.web.ApiProblem;
import org.springframework.http.HttpStatus;

/** An attached image the chat does not take: not an image, too large, or one too many. */
final class UnacceptableImage extends ApiProblem {

    private UnacceptableImage(HttpStatus status, String slug, String title, String detail) {
        super(status, slug, title, detail);
    }

    static UnacceptableImage notAnImage(String name, String why) {
        return new UnacceptableImage(
                HttpStatus.UNSUPPORTED_MEDIA_TYPE,
                "unsupported-image",
                "Not an image the chat takes",
                name + " cannot be attached: " + why + ". PNG, JPEG, GIF and WebP images are taken");
    }

    static UnacceptableImage tooLarge(String name, long bytes, long maxBytes) {
        return new UnacceptableImage(
                HttpStatus.CONTENT_TOO_LARGE,
                "image-too-large",
                "Image too large",
                name + " has " + bytes + " bytes; an image may have " + maxBytes + " at most");
    }

    static UnacceptableImage tooWide(String name, int width, int height, int maxSide) {
        return new UnacceptableImage(
                HttpStatus.CONTENT_TOO_LARGE,
                "image-too-large",
                "Image too large",
                name + " is " + width + "x" + height + " pixels; an image's sides may have " + maxSide
                        + " pixels at most");
    }

    static UnacceptableImage tooMany(int count, int max) {
        return new UnacceptableImage(
                HttpStatus.UNPROCESSABLE_CONTENT,
                "too-many-images",
                "Too many images",
                count + " images are attached; a question may carry " + max + " at most");
    }
}
