/** Anthropic's Messages API: the request translated, its events read back. */
@NullMarked
package dev.colloquy.llm.provider.anthropic;

import org.jspecify.annotations.NullMarked;
