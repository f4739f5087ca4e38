/** Colloquy: a self-hostable LLM chat and RAG service. */
@NullMarked
package dev.colloquy;

import org.jspecify.annotations.NullMarked;
