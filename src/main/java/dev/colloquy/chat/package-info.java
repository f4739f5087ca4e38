/**
 * One turn of a conversation: the user's message, the context within the model's window, the model's
 * streamed answer, and both kept in the conversation.
 */
@ApplicationModule(
        allowedDependencies = {"auth", "cache", "conversation", "document", "llm", "platform", "user", "web"})
@NullMarked
package dev.colloquy.chat;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
