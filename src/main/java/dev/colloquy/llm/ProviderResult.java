package dev.colloquy.llm;

/**
 * What a provider produced: the text, the token counts (reported by the upstream, else counted here),
 * and whether the stream ended properly.
 */
record ProviderResult(String text, int inputTokens, int outputTokens, boolean complete, String finishReason) {}
