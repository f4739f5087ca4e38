/**
 * One turn of a conversation: the user's message, the context within the model's window, the model's
 * streamed answer, and both kept in the conversation.
 */
@NullMarked
package dev.colloquy.chat;

import org.jspecify.annotations.NullMarked;
