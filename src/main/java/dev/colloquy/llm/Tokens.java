package dev.colloquy.llm;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import java.util.List;

/**
 * Token counts for text whose upstream reports none (the built-in model, streams cut short), for
 * fitting history into a context window, and for the prompt estimates that budgets and per-minute
 * limits reserve before a call: cl100k_base, close to what most current models count.
 *
 * <p>A chat turn counts the same texts several times (the history it fits into the window, the
 * estimate the gateway reserves, the built-in model's usage) and again on every later turn of the
 * conversation, so counts of longer texts are remembered, by content, up to {@link #REMEMBERED_CHARS}
 * characters in all: looking one up hashes and compares the text, which costs a small fraction of
 * encoding it.
 */
public final class Tokens {

    private static final Encoding ENCODING = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);
    private static final int PER_MESSAGE = 4;
    private static final int PER_TOOL = 8;
    /** Audio and files of unknown length: a fixed estimate; the upstream's usage settles the call. */
    static final int ATTACHMENT = 1_000;
    /** Texts shorter than this are counted each time: remembering them would cost about as much. */
    static final int REMEMBER_FROM = 256;
    /** Characters of text whose counts are remembered, in all (a few MB of heap at most). */
    static final long REMEMBERED_CHARS = 4_000_000;

    private static final Cache<String, Integer> COUNTS = Caffeine.newBuilder()
            .maximumWeight(REMEMBERED_CHARS)
            .weigher((String text, Integer count) -> text.length())
            .build();

    private Tokens() {}

    public static int count(String text) {
        if (text.length() < REMEMBER_FROM || text.length() > REMEMBERED_CHARS / 16) {
            return ENCODING.countTokensOrdinary(text);
        }
        return COUNTS.get(text, ENCODING::countTokensOrdinary);
    }

    /** What an image of this size costs in a prompt at full detail, by OpenAI's tile rule. */
    public static int image(int width, int height) {
        return ImageTokens.tiles(width, height);
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
