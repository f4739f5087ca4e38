package dev.colloquy.llm.provider;

import dev.colloquy.llm.StreamEvent;
import dev.colloquy.llm.Tokens;
import dev.colloquy.llm.ToolCall;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/** Puts together the first choice's text and tool calls from the events of a stream. */
final class AnswerRecorder {

    private final StringBuilder text = new StringBuilder();
    private final TreeMap<Integer, String[]> calls = new TreeMap<>();

    /** Whether the event carries any of the answer (text, refusal, a tool call). */
    static boolean carries(StreamEvent event) {
        return !(event instanceof StreamEvent.OpenAiChunk);
    }

    /** Takes an event that reached the client; answers whether it carried any of the answer. */
    boolean record(StreamEvent event) {
        switch (event) {
            case StreamEvent.Text piece -> {
                if (piece.choice() == 0) {
                    text.append(piece.text());
                }
                return true;
            }
            case StreamEvent.Refusal refusal -> {
                if (refusal.choice() == 0) {
                    text.append(refusal.text());
                }
                return true;
            }
            case StreamEvent.ToolCallDelta delta -> {
                if (delta.choice() == 0) {
                    var call = calls.computeIfAbsent(delta.index(), index -> new String[] {"", "", ""});
                    if (delta.id() != null) {
                        call[0] = delta.id();
                    }
                    if (delta.name() != null) {
                        call[1] = call[1] + delta.name();
                    }
                    call[2] = call[2] + delta.arguments();
                }
                return true;
            }
            case StreamEvent.OpenAiChunk ignored -> {
                return false;
            }
        }
    }

    String text() {
        return text.toString();
    }

    List<ToolCall> toolCalls() {
        var list = new ArrayList<ToolCall>(calls.size());
        calls.values().forEach(call -> list.add(new ToolCall(call[0], call[1], call[2])));
        return list;
    }

    boolean isEmpty() {
        return text.isEmpty() && calls.isEmpty();
    }

    /** Tokens the answer so far takes, for answers whose upstream reported none. */
    int countTokens() {
        int tokens = Tokens.count(text.toString());
        for (var call : calls.values()) {
            tokens += Tokens.count(call[1]) + Tokens.count(call[2]) + 3;
        }
        return tokens;
    }
}
