/** Any OpenAI-compatible chat completions API: the client's body forwarded as sent, its chunks read as events. */
@NullMarked
package dev.colloquy.llm.provider.openai;

import org.jspecify.annotations.NullMarked;
