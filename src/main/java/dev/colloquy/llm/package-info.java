/**
 * The LLM gateway's API: {@link dev.colloquy.llm.LlmGateway} (the pipeline as numbered steps), the
 * request model (sealed messages, options apart from the caller's context, sealed stream events,
 * finish reasons, token usage), the model registry and prices, and the ports it owns ({@link
 * dev.colloquy.llm.DocumentRetriever}, {@link dev.colloquy.llm.MessageRecall}). It knows no
 * conversation, chat or document; its sub-packages are internal but for {@code embedding}.
 */
@ApplicationModule(allowedDependencies = {"cache", "platform", "user", "web"})
@NullMarked
package dev.colloquy.llm;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
