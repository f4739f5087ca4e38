/** The inbound OpenAI wire API: /v1/chat/completions, /v1/models, /v1/embeddings, and OpenAI-shaped errors. */
@NullMarked
package dev.colloquy.llm.openai;

import org.jspecify.annotations.NullMarked;
