/** Conversations and their messages: keyset paging, appends, bulk import, full-text search. */
@ApplicationModule(allowedDependencies = {"cache", "platform", "user", "web"})
@NullMarked
package dev.colloquy.conversation;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
