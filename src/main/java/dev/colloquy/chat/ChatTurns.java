package dev.colloquy.chat;

import dev.colloquy.conversation.Citation;
import dev.colloquy.conversation.ConversationManagement;
import dev.colloquy.conversation.Message;
import dev.colloquy.conversation.MessageRole;
import dev.colloquy.conversation.MessageStatus;
import dev.colloquy.conversation.NewMessage;
import dev.colloquy.document.DocumentSearch;
import dev.colloquy.llm.AnswerSink;
import dev.colloquy.llm.CachePolicy;
import dev.colloquy.llm.ChatRequest;
import dev.colloquy.llm.Completion;
import dev.colloquy.llm.DocumentSource;
import dev.colloquy.llm.LlmGateway;
import dev.colloquy.llm.LlmMessage;
import dev.colloquy.llm.LlmModel;
import dev.colloquy.llm.ModelOptions;
import dev.colloquy.llm.TokenSink;
import dev.colloquy.llm.Tokens;
import dev.colloquy.user.CurrentUser;
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

    private final ConversationManagement conversations;
    private final LlmGateway gateway;
    private final DocumentSearch documents;

    ChatTurns(ConversationManagement conversations, LlmGateway gateway, DocumentSearch documents) {
        this.conversations = conversations;
        this.gateway = gateway;
        this.documents = documents;
    }

    public Turn take(
            CurrentUser caller, UUID conversationId, String content, TokenSink sink, Consumer<Message> onUserMessage) {
        var userId = caller.id();
        var conversation = conversations.get(userId, conversationId);
        var model = gateway.resolve(userId, caller.apiKey(), conversation.model());
        var system = conversation.systemPrompt();
        int fixed = Tokens.count(content) + (system == null ? 0 : Tokens.count(system));
        if (fixed > model.contextWindow() - answerRoom(model)) {
            throw new MessageTooLong(model.name(), model.contextWindow() - answerRoom(model), fixed);
        }
        var userMessage = conversations.append(userId, conversationId, NewMessage.fromUser(content));
        onUserMessage.accept(userMessage);
        var sources = documents.sourcesFor(userId, content, model.contextWindow() / 4);
        var context = context(model, system, sources, conversations.recent(userId, conversationId, HISTORY_MESSAGES));
        var completion = gateway.complete(
                new ChatRequest(
                        userId,
                        model.name(),
                        context,
                        ModelOptions.DEFAULT,
                        conversationId,
                        Set.of(userMessage.id()),
                        CachePolicy.DEFAULT,
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
                citations);
        var assistantMessage = conversations.append(userId, conversationId, answer);
        return new Turn(userMessage, assistantMessage, completion, citations);
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

    /** The system prompt, then the newest history that fits the window, in order. */
    static List<LlmMessage> context(
            LlmModel model, @Nullable String system, List<DocumentSource> sources, List<Message> history) {
        int budget = model.contextWindow() - answerRoom(model) - 3;
        var kept = new ArrayList<LlmMessage>();
        if (system != null && !system.isBlank()) {
            budget -= Tokens.count(system) + 4;
        }
        var excerpts = sources.isEmpty() ? null : DocumentSource.prompt(sources);
        if (excerpts != null) {
            budget -= Tokens.count(excerpts) + 4;
        }
        for (var message : history.reversed()) {
            int cost = Tokens.count(message.content()) + 4;
            if (cost > budget) {
                break;
            }
            budget -= cost;
            kept.addFirst(LlmMessage.of(message.role().wireName(), message.content()));
        }
        if (excerpts != null) {
            kept.addFirst(LlmMessage.of("system", excerpts));
        }
        if (system != null && !system.isBlank()) {
            kept.addFirst(LlmMessage.of("system", system));
        }
        return kept;
    }

    /** Tokens kept free for the answer: a quarter of the window, at most 4,096. */
    static int answerRoom(LlmModel model) {
        return Math.min(4_096, model.contextWindow() / 4);
    }
}
