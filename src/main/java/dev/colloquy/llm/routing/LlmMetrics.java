package dev.colloquy.llm.routing;

import dev.colloquy.llm.Completion;
import dev.colloquy.llm.LlmModel;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.stereotype.Component;

/**
 * The gateway's meters: OpenTelemetry GenAI names ({@code gen_ai_client_*}, labels {@code
 * gen_ai_provider_name}, {@code gen_ai_request_model}, {@code gen_ai_token_type}) and Colloquy's
 * {@code llm_*}. Model names come from configuration, a small fixed set.
 */
@Component
public class LlmMetrics {

    private final MeterRegistry registry;
    private final AtomicInteger activeStreams = new AtomicInteger();
    private final Map<String, ModelMeters> perModel = new ConcurrentHashMap<>();

    LlmMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("llm.active.streams", activeStreams, AtomicInteger::get)
                .description("Model calls streaming right now")
                .register(registry);
    }

    void streamStarted() {
        activeStreams.incrementAndGet();
    }

    void streamEnded() {
        activeStreams.decrementAndGet();
    }

    void completed(LlmModel model, Completion completion, String outcome) {
        var meters = meters(model);
        meters.inputTokens().record(completion.inputTokens());
        meters.outputTokens().record(completion.outputTokens());
        meters.duration(outcome).record(completion.latency());
        if (completion.timeToFirstToken() != null) {
            meters.firstChunk().record(completion.timeToFirstToken());
        }
        meters.cost().increment(completion.costUsd().doubleValue());
        meters.overhead().record(completion.overhead());
    }

    /** A model's meters, made on its first call and found again by name (a registry lookup is a few µs). */
    private ModelMeters meters(LlmModel model) {
        var meters = perModel.get(model.name());
        if (meters == null || !meters.provider().equals(model.provider())) {
            meters = new ModelMeters(registry, model.name(), model.provider());
            perModel.put(model.name(), meters);
        }
        return meters;
    }

    /** The meters of every completed call of one model; durations by outcome, made on first use. */
    private record ModelMeters(
            MeterRegistry registry,
            String model,
            String provider,
            DistributionSummary inputTokens,
            DistributionSummary outputTokens,
            Timer firstChunk,
            Counter cost,
            Timer overhead,
            Map<String, Timer> durations) {

        ModelMeters(MeterRegistry registry, String model, String provider) {
            this(
                    registry,
                    model,
                    provider,
                    tokens(registry, model, provider, "input"),
                    tokens(registry, model, provider, "output"),
                    Timer.builder("gen_ai.client.operation.time_to_first_chunk")
                            .description("Time from the call to the first streamed token")
                            .tags("gen_ai.provider.name", provider, "gen_ai.request.model", model)
                            .publishPercentileHistogram()
                            .register(registry),
                    Counter.builder("llm.cost.usd")
                            .description("What model calls cost, in USD")
                            .tags("gen_ai.provider.name", provider, "gen_ai.request.model", model)
                            .register(registry),
                    Timer.builder("llm.gateway.overhead")
                            .description("Time spent in Colloquy around model calls, outside the upstream")
                            .tags("gen_ai.request.model", model)
                            .publishPercentileHistogram()
                            .register(registry),
                    new ConcurrentHashMap<>());
        }

        /** The duration timer of this outcome; looked up first, so a call makes no mapping function. */
        Timer duration(String outcome) {
            var timer = durations.get(outcome);
            return timer != null
                    ? timer
                    : durations.computeIfAbsent(
                            outcome,
                            name -> Timer.builder("gen_ai.client.operation.duration")
                                    .description("Duration of model calls")
                                    .tags(
                                            "gen_ai.provider.name",
                                            provider,
                                            "gen_ai.request.model",
                                            model,
                                            "outcome",
                                            name)
                                    .publishPercentileHistogram()
                                    .register(registry));
        }

        private static DistributionSummary tokens(MeterRegistry registry, String model, String provider, String type) {
            return DistributionSummary.builder("gen_ai.client.token.usage")
                    .description("Tokens per model call")
                    .tags("gen_ai.provider.name", provider, "gen_ai.request.model", model, "gen_ai.token.type", type)
                    .publishPercentileHistogram()
                    .register(registry);
        }
    }

    void cacheHit(LlmModel model, String kind, java.math.BigDecimal saved) {
        Counter.builder("llm.cache.hits")
                .description("Answers served from the response cache")
                .tags("gen_ai.request.model", model.name(), "kind", kind)
                .register(registry)
                .increment();
        Counter.builder("llm.cache.saved.usd")
                .description("What answers served from the response cache would have cost, in USD")
                .tags("gen_ai.request.model", model.name())
                .register(registry)
                .increment(saved.doubleValue());
    }

    public void semanticSimilarity(LlmModel model, double similarity) {
        DistributionSummary.builder("llm.cache.semantic.similarity")
                .description("Cosine similarity of each semantic cache hit, to tune the threshold")
                .tags("gen_ai.request.model", model.name())
                .serviceLevelObjectives(0.85, 0.88, 0.9, 0.92, 0.94, 0.96, 0.98, 1.0)
                .register(registry)
                .record(similarity);
    }

    public void cacheMiss(LlmModel model) {
        Counter.builder("llm.cache.misses")
                .description("Cache-eligible calls the response cache could not answer")
                .tags("gen_ai.request.model", model.name())
                .register(registry)
                .increment();
    }

    public void upstreamError(LlmModel model, String reason) {
        Counter.builder("llm.upstream.errors")
                .description("Failed upstream calls by reason")
                .tags("gen_ai.provider.name", model.provider(), "gen_ai.request.model", model.name(), "reason", reason)
                .register(registry)
                .increment();
    }

    void fallback(LlmModel from, LlmModel to) {
        Counter.builder("llm.fallbacks")
                .description("Calls moved to the next model of a fallback chain")
                .tags("from", from.name(), "to", to.name())
                .register(registry)
                .increment();
    }
}
