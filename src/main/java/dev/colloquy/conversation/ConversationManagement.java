package dev.colloquy.conversation;

import dev.colloquy.cache.CacheNamespace;
import dev.colloquy.cache.TwoTierCache;
import dev.colloquy.cache.TypedCache;
import dev.colloquy.platform.Cursors;
import dev.colloquy.platform.KeysetPosition;
import dev.colloquy.platform.Page;
import dev.colloquy.platform.Uuid7;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Conversations and their messages, always on behalf of their owner: another user's conversation
 * is reported exactly like one that does not exist.
 */
@Service
public class ConversationManagement {

    public static final int MAX_PAGE = 100;
    public static final int MAX_IMPORT = 10_000;
    /** The longest message content accepted, in characters. */
    public static final int MAX_CONTENT = 100_000;

    static final String DEFAULT_TITLE = "New conversation";

    private final Conversations conversations;
    private final Messages messages;
    private final MessageImages images;
    private final Cursors cursors;
    private final TransactionTemplate transactions;
    private final TypedCache<Conversation> cache;

    ConversationManagement(
            Conversations conversations,
            Messages messages,
            MessageImages images,
            Cursors cursors,
            TransactionTemplate transactions,
            TwoTierCache cache) {
        this.conversations = conversations;
        this.messages = messages;
        this.images = images;
        this.cursors = cursors;
        this.transactions = transactions;
        this.cache = cache.typed(CacheNamespace.CONVERSATION, Conversation.class);
    }

    /** A conversation with the model's own temperature. */
    public Conversation start(
            UUID userId, @Nullable String title, @Nullable String model, @Nullable String systemPrompt) {
        return start(userId, title, model, systemPrompt, null);
    }

    public Conversation start(
            UUID userId,
            @Nullable String title,
            @Nullable String model,
            @Nullable String systemPrompt,
            @Nullable Double temperature) {
        var now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        var conversation = new Conversation(
                Uuid7.next(),
                title == null || title.isBlank() ? DEFAULT_TITLE : title.strip(),
                blankToNull(model),
                blankToNull(systemPrompt),
                temperature,
                0,
                now,
                now,
                now);
        conversations.insert(userId, conversation);
        return conversation;
    }

    public Conversation get(UUID userId, UUID id) {
        var conversation = cache.getOrLoad(
                cacheKey(userId, id), () -> conversations.find(userId, id).orElse(null));
        if (conversation == null) {
            throw new ConversationNotFound(id);
        }
        return conversation;
    }

    public Page<Conversation> list(UUID userId, @Nullable String cursor, int limit) {
        var scope = "conversations:" + userId;
        var rows = conversations.page(userId, cursors.after(scope, cursor), checkLimit(limit) + 1);
        return cursors.page(rows, limit, scope, c -> new KeysetPosition(c.lastActivityAt(), c.id()));
    }

    /** Changes the fields given; the temperature only when {@code setTemperature} (null: the model's default). */
    public Conversation update(
            UUID userId,
            UUID id,
            @Nullable String title,
            @Nullable String model,
            @Nullable String systemPrompt,
            boolean setTemperature,
            @Nullable Double temperature) {
        var newTitle = title == null ? null : title.isBlank() ? DEFAULT_TITLE : title.strip();
        var updated = conversations
                .update(userId, id, newTitle, model, systemPrompt, setTemperature, temperature)
                .orElseThrow(() -> new ConversationNotFound(id));
        cache.evict(cacheKey(userId, id));
        return updated;
    }

    public void delete(UUID userId, UUID id) {
        if (!conversations.delete(userId, id)) {
            throw new ConversationNotFound(id);
        }
        cache.evict(cacheKey(userId, id));
    }

    /** Appends one message at the end of the selected path. */
    public Message append(UUID userId, UUID conversationId, NewMessage message) {
        return append(userId, conversationId, null, message, appended -> {});
    }

    /**
     * Appends one message after {@code parentSeq} (null: at the end of the selected path; 0: as a new
     * first message), running {@code alsoInTransaction} with the new message in the same transaction,
     * so what it writes commits with the message or not at all. The new message ends the selected path.
     */
    public Message append(
            UUID userId,
            UUID conversationId,
            @Nullable Integer parentSeq,
            NewMessage message,
            Consumer<Message> alsoInTransaction) {
        return append(userId, conversationId, parentSeq, message, List.of(), alsoInTransaction);
    }

    /**
     * {@link #append(UUID, UUID, Integer, NewMessage, Consumer)}, storing {@code newImages} in the same
     * transaction; the message names them among its images.
     */
    public Message append(
            UUID userId,
            UUID conversationId,
            @Nullable Integer parentSeq,
            NewMessage message,
            List<NewImage> newImages,
            Consumer<Message> alsoInTransaction) {
        for (var image : newImages) {
            if (!message.images().contains(image.named())) {
                throw new IllegalArgumentException("a message names the images stored with it");
            }
        }
        var stored = transactions.execute(status -> {
            var reservation = conversations
                    .reserve(userId, conversationId, 1, parentSeq)
                    .orElseThrow(() -> new ConversationNotFound(conversationId));
            images.insert(userId, conversationId, newImages, reservation.firstAt());
            var appended = toMessage(
                    conversationId,
                    message,
                    reservation.firstSeq(),
                    parentSeq != null ? parentSeq : reservation.previousLeaf(),
                    reservation.firstAt());
            messages.insert(userId, appended);
            alsoInTransaction.accept(appended);
            return appended;
        });
        cache.evict(cacheKey(userId, conversationId));
        return stored;
    }

    /** Appends many messages in their order with one COPY; all or none are written. */
    public List<Message> importMessages(UUID userId, UUID conversationId, List<NewMessage> batch) {
        if (batch.isEmpty() || batch.size() > MAX_IMPORT) {
            throw new IllegalArgumentException("an import holds 1 to " + MAX_IMPORT + " messages");
        }
        var stored = transactions.execute(status -> {
            var reservation = conversations
                    .reserve(userId, conversationId, batch.size(), null)
                    .orElseThrow(() -> new ConversationNotFound(conversationId));
            var rows = new ArrayList<Message>(batch.size());
            for (int i = 0; i < batch.size(); i++) {
                rows.add(toMessage(
                        conversationId,
                        batch.get(i),
                        reservation.firstSeq() + i,
                        i == 0 ? reservation.previousLeaf() : reservation.firstSeq() + i - 1,
                        reservation.firstAt().plusNanos(i * 1_000L)));
            }
            messages.copy(userId, rows);
            return rows;
        });
        cache.evict(cacheKey(userId, conversationId));
        return stored;
    }

    /**
     * The last {@code limit} messages of the path that ends at {@code lastSeq}, oldest first: the
     * history a chat turn reads. A conversation that never branched, read at its newest message, is
     * read as before: its last messages.
     */
    public List<Message> history(UUID userId, UUID conversationId, int lastSeq, int limit) {
        var shape =
                conversations.shape(userId, conversationId).orElseThrow(() -> new ConversationNotFound(conversationId));
        if (!shape.branched() && lastSeq >= shape.leafSeq()) {
            return messages.recent(conversationId, limit);
        }
        return tail(
                conversationId, MessageTree.of(messages.tree(conversationId)).path(lastSeq), limit);
    }

    /**
     * The last {@code limit} messages of the path to the question that {@code messageId} answers (or
     * is), that question last; empty when no question comes before it. What a new answer to it reads.
     */
    public List<Message> historyOfQuestion(UUID userId, UUID conversationId, UUID messageId, int limit) {
        var found = locate(userId, conversationId, messageId);
        var node = found.node();
        var path = found.tree().path(node.role() == MessageRole.ASSISTANT ? node.parentSeq() : node.seq());
        return tail(conversationId, path, limit);
    }

    /** The last {@code limit} messages of a path, read by their sequence numbers. */
    private List<Message> tail(UUID conversationId, List<Messages.Node> path, int limit) {
        return messages.bySeq(
                conversationId,
                path.subList(Math.max(0, path.size() - limit), path.size()).stream()
                        .map(Messages.Node::seq)
                        .toList());
    }

    /** A message of the caller's conversation in its tree. */
    private record Located(MessageTree tree, Messages.Node node) {}

    private Located locate(UUID userId, UUID conversationId, UUID messageId) {
        if (!conversations.exists(userId, conversationId)) {
            throw new ConversationNotFound(conversationId);
        }
        var tree = MessageTree.of(messages.tree(conversationId));
        var node = tree.node(messageId);
        if (node == null) {
            throw new MessageNotFound(messageId);
        }
        return new Located(tree, node);
    }

    /** One image of the caller's conversation. */
    public ImageBytes image(UUID userId, UUID conversationId, UUID imageId) {
        return images.find(userId, conversationId, imageId).orElseThrow(() -> new ImageNotFound(imageId));
    }

    /** The bytes of these images of the caller's conversation, by id; one it does not hold is left out. */
    public Map<UUID, ImageBytes> images(UUID userId, UUID conversationId, Collection<UUID> ids) {
        return images.of(userId, conversationId, ids);
    }

    /** One message of the caller's conversation. */
    public Message message(UUID userId, UUID conversationId, UUID messageId) {
        var node = locate(userId, conversationId, messageId).node();
        return messages.bySeq(conversationId, List.of(node.seq())).getFirst();
    }

    /**
     * The question {@code messageId}, which a new version is to replace: the new one follows its parent
     * ({@link Message#parentSeq()}).
     */
    public Message editedQuestion(UUID userId, UUID conversationId, UUID messageId) {
        var edited = message(userId, conversationId, messageId);
        if (edited.role() != MessageRole.USER) {
            throw new WrongMessageRole(messageId, edited.role(), "only questions are edited; answers are regenerated");
        }
        return edited;
    }

    /**
     * Selects the branch that goes through {@code messageId}: the path follows it, then the newest
     * message after each one, to the end.
     */
    public void select(UUID userId, UUID conversationId, UUID messageId) {
        var found = locate(userId, conversationId, messageId);
        conversations.select(
                userId,
                conversationId,
                found.tree().newestLeafUnder(found.node().seq()));
        cache.evict(cacheKey(userId, conversationId));
    }

    /** The conversation's last {@code limit} messages as stored, oldest first, whatever their branch. */
    public List<Message> recent(UUID userId, UUID conversationId, int limit) {
        if (!conversations.exists(userId, conversationId)) {
            throw new ConversationNotFound(conversationId);
        }
        return messages.recent(conversationId, limit);
    }

    /**
     * The messages of the selected path, oldest first, each with its siblings. A conversation that
     * never branched is one path: its messages are paged straight from their index.
     */
    public Page<Message> messages(UUID userId, UUID conversationId, @Nullable String cursor, int limit) {
        var scope = "messages:" + userId + ":" + conversationId;
        var after = cursors.after(scope, cursor);
        var shape =
                conversations.shape(userId, conversationId).orElseThrow(() -> new ConversationNotFound(conversationId));
        List<Message> rows;
        if (!shape.branched()) {
            rows = messages.page(conversationId, after, checkLimit(limit) + 1);
        } else {
            var tree = MessageTree.of(messages.tree(conversationId));
            var path = tree.path(shape.leafSeq());
            int from = 0;
            if (after != null) {
                // the page goes on after the cursor's message, or from the start when another branch was selected since
                for (int i = 0; i < path.size(); i++) {
                    if (path.get(i).id().equals(after.id())) {
                        from = i + 1;
                    }
                }
            }
            var seqs = path.subList(from, Math.min(path.size(), from + checkLimit(limit) + 1)).stream()
                    .map(Messages.Node::seq)
                    .toList();
            rows = messages.bySeq(conversationId, seqs).stream()
                    .map(m -> m.withSiblings(tree.siblings(m.parentSeq())))
                    .toList();
        }
        return cursors.page(rows, limit, scope, m -> new KeysetPosition(m.createdAt(), m.id()));
    }

    /** Full-text search over the caller's messages, newest first. */
    public Page<SearchHit> search(UUID userId, String query, @Nullable String cursor, int limit) {
        var scope = "search:" + userId + ":" + query;
        var rows = messages.search(userId, query, cursors.after(scope, cursor), checkLimit(limit) + 1);
        return cursors.page(rows, limit, scope, hit -> new KeysetPosition(hit.createdAt(), hit.messageId()));
    }

    private static String cacheKey(UUID userId, UUID conversationId) {
        return userId + ":" + conversationId;
    }

    private static Message toMessage(UUID conversationId, NewMessage message, int seq, int parentSeq, Instant at) {
        return new Message(
                Uuid7.next(),
                conversationId,
                seq,
                parentSeq,
                message.role(),
                message.content(),
                message.model(),
                message.status(),
                message.inputTokens(),
                message.outputTokens(),
                message.latencyMs(),
                at,
                message.citations(),
                message.images(),
                List.of());
    }

    private static int checkLimit(int limit) {
        if (limit < 1 || limit > MAX_PAGE) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_PAGE);
        }
        return limit;
    }

    private static @Nullable String blankToNull(@Nullable String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
