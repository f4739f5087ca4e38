package dev.colloquy.chat;

import dev.colloquy.conversation.Citation;
import dev.colloquy.conversation.Conversation;
import dev.colloquy.conversation.ConversationManagement;
import dev.colloquy.conversation.Message;
import dev.colloquy.conversation.MessageImage;
import dev.colloquy.conversation.MessageRole;
import dev.colloquy.conversation.MessageStatus;
import dev.colloquy.conversation.NewImage;
import dev.colloquy.conversation.NewMessage;
import dev.colloquy.document.DocumentSearch;
import dev.colloquy.llm.AnswerSink;
import dev.colloquy.llm.CachePolicy;
import dev.colloquy.llm.ChatRequest;
import dev.colloquy.llm.Completion;
import dev.colloquy.llm.DocumentSource;
import dev.colloquy.llm.FinishReason;
import dev.colloquy.llm.LlmGateway;
import dev.colloquy.llm.LlmModel;
import dev.colloquy.llm.ModelOptions;
import dev.colloquy.llm.TokenSink;
import dev.colloquy.llm.TokenUsage;
import dev.colloquy.llm.Tokens;
import dev.colloquy.llm.UnknownModel;
import dev.colloquy.user.CurrentUser;
import dev.colloquy.web.IdempotentRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;

/**
 * Taking one turn of a conversation:
 *
 * <ol>
 *   <li>check the message fits the model's window, then persist it (before any model call, so a
 *       failure later never loses what the user wrote);
 *   <li>retrieve the passages of the caller's documents that answer the message (up to a quarter
 *       of the window), numbered so the answer can cite them;
 *   <li>build the context: the system prompt, the passages, and as much recent history as fits the
 *       window, newest kept first, leaving room for the answer;
 *   <li>call the model through the gateway, streaming tokens to the client;
 *   <li>persist the answer with its model, token counts and latency; an answer cut short is kept and
 *       marked incomplete.
 * </ol>
 *
 * A turn sent with an {@code Idempotency-Key} marks each of the two writes with a checkpoint in the
 * same transaction ({@code asked:<user message>}, then {@code answered:<user message>:<answer>}); a
 * retry after the replica died goes on from there: it does not store the question twice, and when the
 * answer was already stored it returns that answer without calling the model again.
 */
@Service
public class ChatTurns {

    /** The user's message and the model's answer, as stored, and what the call cost. */
    /**
     * One turn: both messages, the model call, and the passages put before the model, each marked
     * cited when the answer refers to its number.
     */
    public record Turn(
            Message userMessage, Message assistantMessage, Completion completion, List<Citation> citations) {}

    static final int HISTORY_MESSAGES = 200;
    /** A regenerated answer is a new call: the response cache is neither read nor replaced. */
    private static final CachePolicy REGENERATE = new CachePolicy(false, false, false, null);

    private static final String ASKED = "asked:";
    private static final String ANSWERED = "answered:";

    private final ConversationManagement conversations;
    private final LlmGateway gateway;
    private final DocumentSearch documents;
    private final ImageProperties imageLimits;

    ChatTurns(
            ConversationManagement conversations,
            LlmGateway gateway,
            DocumentSearch documents,
            ImageProperties imageLimits) {
        this.conversations = conversations;
        this.gateway = gateway;
        this.documents = documents;
        this.imageLimits = imageLimits;
    }

    public Turn take(
            CurrentUser caller, UUID conversationId, String content, TokenSink sink, Consumer<Message> onUserMessage) {
        return take(caller, conversationId, content, sink, onUserMessage, null);
    }

    /** {@link #take}, going on from where an earlier attempt of this keyed request stopped. */
    public Turn take(
            CurrentUser caller,
            UUID conversationId,
            String content,
            TokenSink sink,
            Consumer<Message> onUserMessage,
            @Nullable IdempotentRequest keyed) {
        return take(caller, conversationId, content, List.of(), sink, onUserMessage, keyed);
    }

    /** {@link #take} with images attached to the question, stored with it. */
    public Turn take(
            CurrentUser caller,
            UUID conversationId,
            String content,
            List<NewImage> images,
            TokenSink sink,
            Consumer<Message> onUserMessage,
            @Nullable IdempotentRequest keyed) {
        return take(caller, conversationId, null, content, List.of(), images, sink, onUserMessage, keyed);
    }

    /**
     * {@link #take} with {@code content} as a new version of the question {@code editOf}: it follows what
     * that question followed, the earlier version and its answers stay as a branch of their own. It shows
     * the images of the question it edits, unless images are attached to it.
     */
    public Turn edit(
            CurrentUser caller,
            UUID conversationId,
            UUID editOf,
            String content,
            List<NewImage> images,
            TokenSink sink,
            Consumer<Message> onUserMessage,
            @Nullable IdempotentRequest keyed) {
        var edited = conversations.editedQuestion(caller.id(), conversationId, editOf);
        var kept = images.isEmpty() ? edited.images() : List.<MessageImage>of();
        return take(caller, conversationId, edited.parentSeq(), content, kept, images, sink, onUserMessage, keyed);
    }

    /**
     * A new answer to a question, beside the answers it has: {@code messageId} is an answer (its question
     * is asked again) or a question. The context is the path to that question; the model is called again
     * (the response cache is neither read nor written), so budgets and the ledger count a new call.
     */
    public Turn regenerate(CurrentUser caller, UUID conversationId, UUID messageId, TokenSink sink) {
        var userId = caller.id();
        var history = conversations.historyOfQuestion(userId, conversationId, messageId, HISTORY_MESSAGES);
        if (history.isEmpty()) {
            throw new NothingToRegenerate(messageId);
        }
        var question = history.getLast();
        var conversation = conversations.get(userId, conversationId);
        var model = gateway.resolve(userId, caller.apiKey(), conversation.model());
        checkRoom(model, conversation.systemPrompt(), question.content(), question.images());
        return answer(caller, model, conversation, question, history, REGENERATE, sink, null);
    }

    /**
     * @param kept images already stored that the question shows (an edit's)
     * @param attached images attached to this question, stored with it
     */
    private Turn take(
            CurrentUser caller,
            UUID conversationId,
            @Nullable Integer parentSeq,
            String content,
            List<MessageImage> kept,
            List<NewImage> attached,
            TokenSink sink,
            Consumer<Message> onUserMessage,
            @Nullable IdempotentRequest keyed) {
        var userId = caller.id();
        var conversation = conversations.get(userId, conversationId);
        var model = gateway.resolve(userId, caller.apiKey(), conversation.model());
        if (!attached.isEmpty() && !model.images()) {
            throw new ModelCannotSeeImages(model.name());
        }
        var images = new ArrayList<>(kept);
        attached.forEach(image -> images.add(image.named()));
        var system = conversation.systemPrompt();
        checkRoom(model, system, content, images);
        var resumed = Resumed.of(keyed, conversations, userId, conversationId);
        if (resumed.answer() != null) {
            return storedTurn(model, resumed.question(), resumed.answer());
        }
        var userMessage = resumed.question() != null
                ? resumed.question()
                : conversations.append(
                        userId,
                        conversationId,
                        parentSeq,
                        NewMessage.fromUser(content, images),
                        attached,
                        asked -> checkpoint(keyed, ASKED + asked.id()));
        onUserMessage.accept(userMessage);
        var history = conversations.history(userId, conversationId, userMessage.seq(), HISTORY_MESSAGES);
        return answer(caller, model, conversation, userMessage, history, CachePolicy.DEFAULT, sink, keyed);
    }

    private static void checkRoom(LlmModel model, @Nullable String system, String content, List<MessageImage> images) {
        int fixed = TurnContext.cost(model, content, images) + (system == null ? 0 : Tokens.count(system));
        int room = model.contextWindow() - TurnContext.answerRoom(model);
        if (fixed > room) {
            throw new MessageTooLong(model.name(), room, fixed);
        }
    }

    /** The model's answer to {@code userMessage}, stored after it. */
    private Turn answer(
            CurrentUser caller,
            LlmModel model,
            Conversation conversation,
            Message userMessage,
            List<Message> history,
            CachePolicy cachePolicy,
            TokenSink sink,
            @Nullable IdempotentRequest keyed) {
        var userId = caller.id();
        var conversationId = userMessage.conversationId();
        var sources = documents.sourcesFor(userId, userMessage.content(), model.contextWindow() / 4);
        var context = TurnContext.of(
                model,
                conversation.systemPrompt(),
                sources,
                history,
                ids -> conversations.images(userId, conversationId, ids),
                imageLimits.maxBytesPerTurn().toBytes());
        var completion = gateway.complete(
                new ChatRequest(
                        userId,
                        model.name(),
                        context,
                        conversation.temperature() == null
                                ? ModelOptions.DEFAULT
                                : ModelOptions.sampling(conversation.temperature(), null),
                        conversationId,
                        Set.of(userMessage.id()),
                        cachePolicy,
                        caller.apiKey(),
                        sources,
                        null),
                AnswerSink.text(sink));
        var citations = citations(sources, completion.text());
        var answer = new NewMessage(
                MessageRole.ASSISTANT,
                completion.text(),
                completion.model(),
                completion.complete() ? MessageStatus.COMPLETE : MessageStatus.INCOMPLETE,
                completion.inputTokens(),
                completion.outputTokens(),
                (int) Math.min(Integer.MAX_VALUE, completion.latency().toMillis()),
                citations,
                List.of());
        var assistantMessage = conversations.append(
                userId,
                conversationId,
                userMessage.seq(),
                answer,
                answered -> checkpoint(keyed, ANSWERED + userMessage.id() + ":" + answered.id()));
        return new Turn(userMessage, assistantMessage, completion, citations);
    }

    private static void checkpoint(@Nullable IdempotentRequest keyed, String value) {
        if (keyed != null) {
            keyed.checkpoint(value);
        }
    }

    /** What an earlier attempt of a keyed turn had stored: nothing, the question, or both messages. */
    private record Resumed(
            @Nullable Message question, @Nullable Message answer) {

        static Resumed of(
                @Nullable IdempotentRequest keyed,
                ConversationManagement conversations,
                UUID userId,
                UUID conversationId) {
            var checkpoint = keyed == null ? null : keyed.checkpoint();
            if (checkpoint == null) {
                return new Resumed(null, null);
            }
            var ids = checkpoint.substring(checkpoint.indexOf(':') + 1).split(":");
            var stored = conversations.recent(userId, conversationId, HISTORY_MESSAGES);
            var question = find(stored, ids[0]);
            var answer = checkpoint.startsWith(ANSWERED) && ids.length == 2 ? find(stored, ids[1]) : null;
            return new Resumed(question, question == null ? null : answer);
        }

        private static @Nullable Message find(List<Message> messages, String id) {
            return messages.stream()
                    .filter(m -> m.id().toString().equals(id))
                    .findFirst()
                    .orElse(null);
        }
    }

    /** The turn an earlier attempt completed, from what it stored; the model is not called again. */
    private Turn storedTurn(LlmModel resolved, Message question, Message answer) {
        var model = resolved;
        if (answer.model() != null && !answer.model().equals(resolved.name())) {
            try {
                model = gateway.resolve(answer.model());
            } catch (UnknownModel gone) {
                // priced as the conversation's model when the one that answered was removed since
            }
        }
        var usage = TokenUsage.of(
                answer.inputTokens() == null ? 0 : answer.inputTokens(),
                answer.outputTokens() == null ? 0 : answer.outputTokens());
        var latency = Duration.ofMillis(answer.latencyMs() == null ? 0 : answer.latencyMs());
        var completion = new Completion(
                answer.model() == null ? model.name() : answer.model(),
                model.provider(),
                answer.content(),
                List.of(),
                usage,
                model.cost(usage),
                answer.status() == MessageStatus.COMPLETE ? FinishReason.STOP : FinishReason.UPSTREAM_CUT,
                latency,
                null,
                Duration.ZERO,
                false);
        return new Turn(question, answer, completion, answer.citations());
    }

    private static List<Citation> citations(List<DocumentSource> sources, String answer) {
        return sources.stream()
                .map(s -> new Citation(
                        s.number(),
                        s.documentId(),
                        s.chunkId(),
                        s.filename(),
                        s.headingPath(),
                        s.page(),
                        answer.contains("[" + s.number() + "]")))
                .toList();
    }
}
