package dev.colloquy.llm.provider;

import dev.colloquy.llm.FinishReason;
import dev.colloquy.llm.TokenUsage;
import dev.colloquy.llm.ToolCall;
import java.util.List;

/**
 * What a provider produced for the first choice: its text and tool calls, the tokens (reported by the
 * upstream, else counted here), and why it ended.
 */
public record ProviderResult(String text, List<ToolCall> toolCalls, TokenUsage usage, FinishReason finish) {

    public ProviderResult {
        toolCalls = List.copyOf(toolCalls);
    }

    boolean complete() {
        return finish.complete();
    }
}
