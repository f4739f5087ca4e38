package dev.colloquy.llm;

/**
 * Why an answer ended. The first four are OpenAI's and mean the answer is whole; the rest say why it
 * was cut short.
 */
public enum FinishReason {
    STOP("stop"),
    LENGTH("length"),
    TOOL_CALLS("tool_calls"),
    CONTENT_FILTER("content_filter"),
    CLIENT_DISCONNECTED("client_disconnected"),
    TIMEOUT("timeout"),
    UPSTREAM_CUT("upstream_cut");

    private final String wire;

    FinishReason(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    public boolean complete() {
        return ordinal() <= CONTENT_FILTER.ordinal();
    }

    /** What an OpenAI client is told: an answer cut short reads as {@code length}. */
    public String openAi() {
        return complete() ? wire : LENGTH.wire;
    }

    /** OpenAI's {@code finish_reason}; the legacy {@code function_call} is a tool call. */
    public static FinishReason fromOpenAi(String reason) {
        return switch (reason) {
            case "length" -> LENGTH;
            case "tool_calls", "function_call" -> TOOL_CALLS;
            case "content_filter" -> CONTENT_FILTER;
            default -> STOP;
        };
    }

    /** Anthropic's {@code stop_reason}. */
    public static FinishReason fromAnthropic(String reason) {
        return switch (reason) {
            case "max_tokens", "model_context_window_exceeded" -> LENGTH;
            case "tool_use" -> TOOL_CALLS;
            case "refusal" -> CONTENT_FILTER;
            default -> STOP; // end_turn, stop_sequence, pause_turn
        };
    }

    /** Anthropic's {@code stop_reason} for this one. */
    public String anthropic() {
        return switch (this) {
            case LENGTH, TIMEOUT, UPSTREAM_CUT, CLIENT_DISCONNECTED -> "max_tokens";
            case TOOL_CALLS -> "tool_use";
            case CONTENT_FILTER -> "refusal";
            case STOP -> "end_turn";
        };
    }
}
