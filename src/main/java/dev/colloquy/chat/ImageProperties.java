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
 */
@Validated
@ConfigurationProperties("colloquy.chat.images")
record ImageProperties(
        @DefaultValue("5MB") DataSize maxBytes,
        @DefaultValue("4") int maxPerMessage,
        @DefaultValue("8000") int maxSide) {

    ImageProperties {
        if (maxBytes.toBytes() < 1 || maxPerMessage < 0 || maxSide < 1) {
            throw new IllegalArgumentException(
                    "colloquy.chat.images: max-bytes and max-side must be positive, max-per-message not negative");
        }
    }
}
