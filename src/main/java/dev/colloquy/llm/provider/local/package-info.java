/** The built-in local model: extractive answers from the caller's documents and messages, no upstream. */
@NullMarked
package dev.colloquy.llm.provider.local;

import org.jspecify.annotations.NullMarked;
