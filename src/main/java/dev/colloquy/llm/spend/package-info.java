/** What calls cost and who may make them: budgets, rate limits, the usage ledger and the usage API. */
@NullMarked
package dev.colloquy.llm.spend;

import org.jspecify.annotations.NullMarked;
