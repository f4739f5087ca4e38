package dev.colloquy.llm.routing;

import dev.colloquy.llm.ChatRequest;
import dev.colloquy.llm.Completion;
import dev.colloquy.llm.FinishReason;
import dev.colloquy.llm.LlmModel;
import dev.colloquy.llm.TokenUsage;
import dev.colloquy.llm.answers.AnswerCache;
import dev.colloquy.llm.provider.ProviderResult;
import dev.colloquy.llm.spend.UsageLedger;
import dev.colloquy.llm.spend.UsageRecord;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import org.springframework.stereotype.Component;

/** Prices answered calls, writes them to the ledger and the gateway's metrics; failed calls too, at nothing. */
@Component
public class Billing {

    private final UsageLedger ledger;
    private final LlmMetrics metrics;

    Billing(UsageLedger ledger, LlmMetrics metrics) {
        this.ledger = ledger;
        this.metrics = metrics;
    }

    /**
     * Bills what the provider produced.
     *
     * @param started when the call reached the gateway; {@code callStarted} when the answering attempt
     *     began, so the time before it is the gateway's overhead
     * @param firstEventAt when the first event reached the client, 0 for never
     */
    Completion bill(
            LlmModel model,
            ChatRequest request,
            ProviderResult result,
            long started,
            long callStarted,
            long firstEventAt) {
        var latency = Duration.ofNanos(System.nanoTime() - started);
        var usage = result.usage();
        var completion = new Completion(
                model.name(),
                model.provider(),
                result.text(),
                result.toolCalls(),
                usage,
                model.cost(usage),
                result.finish(),
                latency,
                firstEventAt == 0 ? null : Duration.ofNanos(firstEventAt - callStarted),
                Duration.ofNanos(callStarted - started),
                false);
        var status = completion.complete() ? "complete" : "incomplete";
        ledger.record(UsageRecord.of(request.userId(), request.conversationId(), model, usage, status, latency));
        metrics.completed(model, completion, status);
        return completion;
    }

    /** A call that produced nothing is in the ledger too: no tokens, no cost. */
    void failed(LlmModel model, ChatRequest request, long startedNanos) {
        ledger.record(UsageRecord.of(
                request.userId(),
                request.conversationId(),
                model,
                0,
                0,
                "failed",
                Duration.ofNanos(System.nanoTime() - startedNanos)));
    }

    /** An answer served from the response cache: billed at nothing, with what it saved in the ledger. */
    public Completion cached(
            LlmModel model,
            ChatRequest request,
            AnswerCache.CachedAnswer hit,
            String kind,
            FinishReason finish,
            Duration latency,
            Duration firstEvent) {
        var usage = TokenUsage.of(hit.inputTokens(), hit.outputTokens());
        ledger.record(UsageRecord.of(
                        request.userId(),
                        request.conversationId(),
                        model,
                        usage.input(),
                        usage.output(),
                        "cached",
                        latency)
                .servedFromCache(hit.costUsd()));
        metrics.cacheHit(model, kind, hit.costUsd());
        return new Completion(
                hit.model(),
                model.provider(),
                hit.text(),
                hit.toolCalls() == null ? List.of() : hit.toolCalls(),
                usage,
                BigDecimal.ZERO,
                finish,
                latency,
                firstEvent,
                latency,
                true);
    }
}
