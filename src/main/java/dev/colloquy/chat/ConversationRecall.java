package dev.colloquy.chat;

import dev.colloquy.conversation.ConversationManagement;
import dev.colloquy.llm.MessageRecall;
import java.util.List;
import java.util.UUID;
import org.springframework.stereotype.Component;

/** The built-in model's memory: a full-text search of the caller's own messages. */
@Component
class ConversationRecall implements MessageRecall {

    private final ConversationManagement conversations;

    ConversationRecall(ConversationManagement conversations) {
        this.conversations = conversations;
    }

    @Override
    public List<Recalled> recall(UUID userId, List<String> words, int limit) {
        if (words.isEmpty()) {
            return List.of();
        }
        return conversations.search(userId, String.join(" or ", words), null, limit).items().stream()
                .map(hit -> new Recalled(
                        hit.messageId(),
                        hit.role().wireName(),
                        hit.snippet(),
                        hit.conversationTitle(),
                        hit.createdAt()))
                .toList();
    }
}
