package dev.colloquy.user;

import java.util.Locale;

/** How much a credential may do: {@code full} (the whole API) or {@code chat} (the OpenAI-compatible API only). */
public enum AccessScope {
    FULL,
    CHAT;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static AccessScope fromWire(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
