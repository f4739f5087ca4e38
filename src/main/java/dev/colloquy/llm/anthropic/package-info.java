/** The inbound Anthropic wire API: /v1/messages, and Anthropic-shaped errors. */
@NullMarked
package dev.colloquy.llm.anthropic;

import org.jspecify.annotations.NullMarked;
