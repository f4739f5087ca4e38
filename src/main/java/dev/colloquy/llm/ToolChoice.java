package dev.colloquy.llm;

import org.jspecify.annotations.Nullable;

/** Whether and which tool the model must call. */
public record ToolChoice(Mode mode, @Nullable String name) {

    public enum Mode {
        AUTO,
        NONE,
        REQUIRED,
        /** this one tool, by {@code name} */
        NAMED
    }

    public ToolChoice {
        if ((mode == Mode.NAMED) != (name != null)) {
            throw new IllegalArgumentException("a tool is named exactly when the choice is NAMED");
        }
    }
}
