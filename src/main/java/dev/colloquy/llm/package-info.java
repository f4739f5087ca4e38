/**
 * The LLM gateway: the model registry and prices, providers (OpenAI-compatible upstreams and the
 * built-in {@code local} model), retries, circuit breakers, concurrency limits, fallbacks, the
 * usage ledger and the gateway's metrics.
 */
@NullMarked
package dev.colloquy.llm;

import org.jspecify.annotations.NullMarked;
