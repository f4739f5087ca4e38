/** The exact and semantic answer caches; they hear of changed documents by event. */
@NullMarked
package dev.colloquy.llm.answers;

import org.jspecify.annotations.NullMarked;
