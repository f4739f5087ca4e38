/** A call along a model and its fallbacks: per-minute limits, breakers, concurrency limits, retries; then billing and the gateway's metrics. */
@NullMarked
package dev.colloquy.llm.routing;

import org.jspecify.annotations.NullMarked;
