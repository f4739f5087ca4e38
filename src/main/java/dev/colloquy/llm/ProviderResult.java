package dev.colloquy.llm;

import java.util.List;

/**
 * What a provider produced for the first choice: its text and tool calls, the tokens (reported by the
 * upstream, else counted here), and why it ended.
 */
record ProviderResult(String text, List<ToolCall> toolCalls, TokenUsage usage, FinishReason finish) {

    ProviderResult {
        toolCalls = List.copyOf(toolCalls);
    }

    boolean complete() {
        return finish.complete();
    }
}
