package dev.colloquy.chat;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Images attached to questions in the chat ({@code colloquy.chat.images}).
 *
 * @param maxBytes the largest image accepted, as sent (Anthropic's API takes 5 MB at most)
 * @param maxPerMessage images one question may carry
 * @param maxSide the longest side in pixels accepted (Anthropic's API refuses more than 8000)
 * @param maxBytesPerTurn images sent to the model with one turn at most, newest first (the question's
 *     own always fit); older images in the history go as a note (Anthropic refuses a request over 32
 *     MB, and images go base64, a third larger)
 */
@Validated
@ConfigurationProperties("colloquy.chat.images")
record ImageProperties(
        @DefaultValue("5MB") DataSize maxBytes,
        @DefaultValue("4") int maxPerMessage,
        @DefaultValue("8000") int maxSide,
        @DefaultValue("20MB") DataSize maxBytesPerTurn) {

    ImageProperties {
        if (maxBytes.toBytes() < 1 || maxPerMessage < 0 || maxSide < 1) {
            throw new IllegalArgumentException(
                    "colloquy.chat.images: max-bytes and max-side must be positive, max-per-message not negative");
        }
        if (maxBytesPerTurn.toBytes() < maxBytes.toBytes() * maxPerMessage) {
            throw new IllegalArgumentException("colloquy.chat.images.max-bytes-per-turn must hold a question's images:"
                    + " at least max-bytes times max-per-message");
        }
    }
}
