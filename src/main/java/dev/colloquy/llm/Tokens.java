package dev.colloquy.llm;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import java.util.List;

/**
 * Token counts for text whose upstream reports none (the built-in model, streams cut short) and for
 * fitting history into a context window: cl100k_base, close to what most current models count.
 */
public final class Tokens {

    private static final Encoding ENCODING = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);
    private static final int PER_MESSAGE = 4;

    private Tokens() {}

    public static int count(String text) {
        return ENCODING.countTokensOrdinary(text);
    }

    /** Tokens a prompt of these messages takes, with the few each message adds for its role. */
    public static int count(List<LlmMessage> messages) {
        int total = 3;
        for (var message : messages) {
            total += PER_MESSAGE + count(message.content());
        }
        return total;
    }
}
