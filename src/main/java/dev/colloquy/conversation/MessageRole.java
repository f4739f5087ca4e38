package dev.colloquy.conversation;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Who wrote a message. */
public enum MessageRole {
    SYSTEM,
    USER,
    ASSISTANT;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static MessageRole fromWire(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
