package dev.colloquy.llm.embedding;

import dev.colloquy.llm.LlmModel;
import dev.colloquy.llm.LlmProperties;
import dev.colloquy.llm.ModelRejectedRequest;
import dev.colloquy.llm.ModelUnavailable;
import dev.colloquy.llm.NoEmbeddings;
import dev.colloquy.llm.RateLimited;
import dev.colloquy.llm.Tokens;
import dev.colloquy.llm.provider.UpstreamFailure;
import dev.colloquy.llm.provider.openai.OpenAiCompatibleProvider;
import dev.colloquy.llm.routing.LlmMetrics;
import dev.colloquy.llm.routing.ModelRouting;
import dev.colloquy.llm.spend.Budgets;
import dev.colloquy.llm.spend.RateLimits;
import dev.colloquy.llm.spend.UsageLedger;
import dev.colloquy.llm.spend.UsageRecord;
import dev.colloquy.user.ApiKeyLimits;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * Embeddings from a model's OpenAI-compatible upstream, with the same limits, budget, breaker and
 * retries as chat calls, and the input tokens billed.
 */
@Component
public class UpstreamEmbeddings {

    private final OpenAiCompatibleProvider openAi;
    private final ModelRouting routing;
    private final LlmProperties properties;
    private final RateLimits rateLimits;
    private final Budgets budgets;
    private final UsageLedger ledger;
    private final LlmMetrics metrics;

    UpstreamEmbeddings(
            OpenAiCompatibleProvider openAi,
            ModelRouting routing,
            LlmProperties properties,
            RateLimits rateLimits,
            Budgets budgets,
            UsageLedger ledger,
            LlmMetrics metrics) {
        this.openAi = openAi;
        this.routing = routing;
        this.properties = properties;
        this.rateLimits = rateLimits;
        this.budgets = budgets;
        this.ledger = ledger;
        this.metrics = metrics;
    }

    /** The upstream's answer as it came. */
    public JsonNode embed(UUID userId, @Nullable ApiKeyLimits apiKey, LlmModel model, JsonNode input) {
        if (!model.provider().equals("openai")) {
            throw new NoEmbeddings(model.name());
        }
        int inputBound = (int) Math.ceil(Tokens.count(input.toString()) * 1.1) + 16;
        rateLimits.admit(userId, apiKey, inputBound);
        var wait = rateLimits.admitModel(model, userId, inputBound);
        if (wait.isPositive()) {
            throw new RateLimited("model's per-minute", wait);
        }
        var reservation = budgets.reserve(userId, model.cost(inputBound, 0));
        try {
            var body = withRetries(userId, model, input, reservation);
            reservation = null;
            return body;
        } finally {
            budgets.release(reservation);
        }
    }

    /** Unit vectors in the order of the texts. */
    public List<float[]> vectors(UUID userId, LlmModel model, List<String> texts) {
        var input = JsonNodeFactory.instance.arrayNode();
        texts.forEach(input::add);
        var body = embed(userId, null, model, input);
        var vectors = new float[texts.size()][];
        for (var item : body.path("data")) {
            int index = item.path("index").asInt();
            var values = item.path("embedding");
            var vector = new float[values.size()];
            double norm = 0;
            for (int i = 0; i < vector.length; i++) {
                vector[i] = (float) values.get(i).asDouble();
                norm += vector[i] * vector[i];
            }
            float scale = norm == 0 ? 0 : (float) (1 / Math.sqrt(norm));
            for (int i = 0; i < vector.length; i++) {
                vector[i] *= scale;
            }
            if (index >= 0 && index < vectors.length) {
                vectors[index] = vector;
            }
        }
        for (int i = 0; i < vectors.length; i++) {
            if (vectors[i] == null) {
                throw new ModelUnavailable(
                        model.name(), "the upstream returned no vector for input " + i, Duration.ofSeconds(5));
            }
        }
        return List.of(vectors);
    }

    private JsonNode withRetries(
            UUID userId, LlmModel model, JsonNode input, Budgets.@Nullable Reservation reservation) {
        var breaker = routing.breaker(model);
        long started = System.nanoTime();
        for (int attempt = 1; ; attempt++) {
            if (!breaker.tryAcquirePermission()) {
                metrics.upstreamError(model, "circuit_open");
                throw new ModelUnavailable(
                        model.name(), "circuit open", properties.breaker().waitInOpen());
            }
            long callStarted = System.nanoTime();
            try {
                var result = openAi.embed(model, input, Instant.now().plus(model.timeout()));
                breaker.onSuccess(System.nanoTime() - callStarted, TimeUnit.NANOSECONDS);
                var latency = Duration.ofNanos(System.nanoTime() - started);
                var usage = UsageRecord.of(userId, null, model, result.inputTokens(), 0, "complete", latency);
                ledger.record(usage);
                budgets.settle(reservation, usage.costUsd());
                return result.body();
            } catch (UpstreamFailure failure) {
                if (failure.kind() == UpstreamFailure.Kind.REJECTED) {
                    breaker.releasePermission();
                    throw new ModelRejectedRequest(model.name(), failure.getMessage());
                }
                breaker.onError(System.nanoTime() - callStarted, TimeUnit.NANOSECONDS, failure);
                metrics.upstreamError(model, failure.kind().tag());
                if (!failure.kind().retriable || attempt >= properties.retry().maxAttempts()) {
                    var retryAfter = failure.retryAfter() == null ? Duration.ofSeconds(5) : failure.retryAfter();
                    throw new ModelUnavailable(model.name(), failure.getMessage(), retryAfter);
                }
                ModelRouting.sleep(routing.backoff(attempt, failure));
            }
        }
    }
}
