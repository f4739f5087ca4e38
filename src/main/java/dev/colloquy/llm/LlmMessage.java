package dev.colloquy.llm;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * One message of a prompt: an instruction (system or developer), the user's words and attachments,
 * the assistant's answer with the tools it called, or the result of one tool call.
 */
public sealed interface LlmMessage {

    /** The role as the OpenAI wire names it. */
    String role();

    /** The text the message carries: for counting tokens, retrieval and the built-in model. */
    String text();

    /** A text-only message in one of the roles every chat API shares. */
    static LlmMessage of(String role, String text) {
        return switch (role) {
            case "system", "developer" -> new Instruction(role, text);
            case "user" -> new User(List.of(new ContentPart.Text(text)));
            case "assistant" -> new Assistant(text, List.of());
            default -> throw new IllegalArgumentException("role must be system, developer, user or assistant");
        };
    }

    /** What the operator or the application tells the model: {@code system} or {@code developer}. */
    record Instruction(String role, String text) implements LlmMessage {
        public Instruction {
            Objects.requireNonNull(text, "text");
            if (!role.equals("system") && !role.equals("developer")) {
                throw new IllegalArgumentException("an instruction is a system or developer message");
            }
        }
    }

    /** The user's turn: text and attachments in the order given. */
    record User(List<ContentPart> parts) implements LlmMessage {
        public User {
            parts = List.copyOf(parts);
        }

        @Override
        public String role() {
            return "user";
        }

        @Override
        public String text() {
            return parts.stream()
                    .filter(ContentPart.Text.class::isInstance)
                    .map(part -> ((ContentPart.Text) part).text())
                    .collect(Collectors.joining());
        }

        /** Whether the turn holds more than text (images, audio, files). */
        public boolean hasAttachments() {
            return parts.stream().anyMatch(part -> !(part instanceof ContentPart.Text));
        }
    }

    /** The model's earlier answer: its text (may be empty) and the tools it called. */
    record Assistant(String text, List<ToolCall> toolCalls) implements LlmMessage {
        public Assistant {
            Objects.requireNonNull(text, "text");
            toolCalls = List.copyOf(toolCalls);
        }

        @Override
        public String role() {
            return "assistant";
        }
    }

    /** What one tool call returned, answering the assistant's call of that id. */
    record ToolResult(String toolCallId, String text) implements LlmMessage {
        public ToolResult {
            Objects.requireNonNull(toolCallId, "toolCallId");
            Objects.requireNonNull(text, "text");
        }

        @Override
        public String role() {
            return "tool";
        }
    }
}
