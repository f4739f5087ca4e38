/** Conversations and their messages: keyset paging, appends, bulk import, full-text search. */
@NullMarked
package dev.colloquy.conversation;

import org.jspecify.annotations.NullMarked;
