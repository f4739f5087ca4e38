package dev.colloquy.chat;

import dev.colloquy.conversation.ImageBytes;
import dev.colloquy.conversation.Message;
import dev.colloquy.conversation.MessageImage;
import dev.colloquy.conversation.MessageRole;
import dev.colloquy.llm.ContentPart;
import dev.colloquy.llm.DocumentSource;
import dev.colloquy.llm.LlmMessage;
import dev.colloquy.llm.LlmModel;
import dev.colloquy.llm.Tokens;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * What a turn sends the model: the system prompt, the passages of the caller's documents, then as much
 * of the path's history as fits the window, newest kept first, leaving room for the answer. A question
 * goes with its images to a model that takes them, the newest images first up to {@code maxImageBytes}
 * a turn; an image left out, or one for a model that does not take images, is named by a note.
 */
final class TurnContext {

    private static final int PER_MESSAGE = 4;

    private TurnContext() {}

    /**
     * @param images the bytes of a conversation's images by id; asked once, for the images sent
     * @param maxImageBytes the images' bytes one turn sends at most
     */
    static List<LlmMessage> of(
            LlmModel model,
            @Nullable String system,
            List<DocumentSource> sources,
            List<Message> history,
            Function<Collection<UUID>, Map<UUID, ImageBytes>> images,
            long maxImageBytes) {
        int budget = model.contextWindow() - answerRoom(model) - 3;
        if (system != null && !system.isBlank()) {
            budget -= Tokens.count(system) + PER_MESSAGE;
        }
        var excerpts = sources.isEmpty() ? null : DocumentSource.prompt(sources);
        if (excerpts != null) {
            budget -= Tokens.count(excerpts) + PER_MESSAGE;
        }
        var fitting = new ArrayList<Message>();
        for (var message : history.reversed()) {
            int cost = cost(model, message.content(), message.images());
            if (cost > budget) {
                break;
            }
            budget -= cost;
            fitting.addFirst(message);
        }
        var shown = model.images() ? images.apply(newestImages(fitting, maxImageBytes)) : Map.<UUID, ImageBytes>of();
        var kept = new ArrayList<LlmMessage>(fitting.size() + 2);
        if (system != null && !system.isBlank()) {
            kept.add(LlmMessage.of("system", system));
        }
        if (excerpts != null) {
            kept.add(LlmMessage.of("system", excerpts));
        }
        for (var message : fitting) {
            kept.add(
                    message.role() == MessageRole.USER && !message.images().isEmpty()
                            ? withImages(model, message, shown)
                            : LlmMessage.of(message.role().wireName(), message.content()));
        }
        return kept;
    }

    /** Tokens a message takes in the prompt: its words, and its images when the model is sent them. */
    static int cost(LlmModel model, String content, List<MessageImage> images) {
        int cost = Tokens.count(content) + PER_MESSAGE;
        if (model.images()) {
            for (var image : images) {
                cost += Tokens.image(image.width(), image.height());
            }
        } else if (!images.isEmpty()) {
            cost += Tokens.count(unseen(model, images.size()));
        }
        return cost;
    }

    /** The newest images of these messages whose bytes add up to at most {@code maxBytes}. */
    private static List<UUID> newestImages(List<Message> messages, long maxBytes) {
        var chosen = new LinkedHashSet<UUID>();
        long room = maxBytes;
        for (var message : messages.reversed()) {
            for (var image : message.images().reversed()) {
                if (!chosen.contains(image.id())) {
                    if (image.size() > room) {
                        return List.copyOf(chosen);
                    }
                    room -= image.size();
                    chosen.add(image.id());
                }
            }
        }
        return List.copyOf(chosen);
    }

    /** Tokens kept free for the answer: a quarter of the window, at most 4,096. */
    static int answerRoom(LlmModel model) {
        return Math.min(4_096, model.contextWindow() / 4);
    }

    private static LlmMessage withImages(LlmModel model, Message question, Map<UUID, ImageBytes> shown) {
        var parts = new ArrayList<ContentPart>();
        if (!question.content().isEmpty()) {
            parts.add(new ContentPart.Text(question.content()));
        }
        if (!model.images()) {
            parts.add(new ContentPart.Text(unseen(model, question.images().size())));
            return new LlmMessage.User(parts);
        }
        int left = 0;
        for (var image : question.images()) {
            var bytes = shown.get(image.id());
            if (bytes != null) {
                parts.add(new ContentPart.Image(bytes.dataUrl(), null));
            } else {
                left++;
            }
        }
        if (left > 0) {
            parts.add(new ContentPart.Text("\n\n[" + (left == 1 ? "An image was" : left + " images were")
                    + " attached here; not sent again, to leave room for newer images.]"));
        }
        return new LlmMessage.User(parts);
    }

    private static String unseen(LlmModel model, int count) {
        return "\n\n[" + (count == 1 ? "An image was" : count + " images were") + " attached here; model "
                + model.name() + " does not take images, so it was not sent.]";
    }
}
