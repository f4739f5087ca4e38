/** Embeddings: in-process all-MiniLM-L6-v2 and upstream /v1/embeddings; a named interface the document feature uses. */
@org.springframework.modulith.NamedInterface("embedding")
@NullMarked
package dev.colloquy.llm.embedding;

import org.jspecify.annotations.NullMarked;
