package dev.colloquy.llm;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import java.util.List;

/**
 * Token counts for text whose upstream reports none (the built-in model, streams cut short), for
 * fitting history into a context window, and for the prompt estimates that budgets and per-minute
 * limits reserve before a call: cl100k_base, close to what most current models count.
 */
public final class Tokens {

    private static final Encoding ENCODING = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);
    private static final int PER_MESSAGE = 4;
    private static final int PER_TOOL = 8;
    /** Audio and files of unknown length: a fixed estimate; the upstream's usage settles the call. */
    static final int ATTACHMENT = 1_000;

    private Tokens() {}

    public static int count(String text) {
        return ENCODING.countTokensOrdinary(text);
    }

    /** Tokens a prompt of these messages takes, with the few each message adds for its role. */
    public static int count(List<LlmMessage> messages) {
        int total = 3;
        for (var message : messages) {
            total += PER_MESSAGE + count(message.text());
            switch (message) {
                case LlmMessage.Assistant assistant -> {
                    for (var call : assistant.toolCalls()) {
                        total += PER_TOOL + count(call.name()) + count(call.arguments());
                    }
                }
                case LlmMessage.ToolResult result -> total += count(result.toolCallId());
                case LlmMessage.User user -> {
                    for (var part : user.parts()) {
                        total += switch (part) {
                            case ContentPart.Text ignored -> 0;
                            case ContentPart.Image image -> ImageTokens.of(image);
                            case ContentPart.Audio ignored -> ATTACHMENT;
                            case ContentPart.File ignored -> ATTACHMENT;
                        };
                    }
                }
                case LlmMessage.Instruction ignored -> {}
            }
        }
        return total;
    }

    /** The prompt of a call: its messages, and the tool schemas and answer schema it sends along. */
    public static int estimate(ChatRequest request) {
        int total = count(request.messages());
        var options = request.options();
        for (var tool : options.tools()) {
            total += PER_TOOL
                    + count(tool.name())
                    + (tool.description() == null ? 0 : count(tool.description()))
                    + count(tool.parameters().toString());
        }
        if (options.responseFormat() != null && options.responseFormat().schema() != null) {
            total += count(options.responseFormat().schema().toString());
        }
        return total;
    }
}
