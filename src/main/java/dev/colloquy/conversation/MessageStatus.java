package dev.colloquy.conversation;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Whether a message is whole: an answer cut short (client gone, upstream failed) is kept as incomplete. */
public enum MessageStatus {
    COMPLETE,
    INCOMPLETE,
    FAILED;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    static MessageStatus fromWire(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
