package dev.colloquy.llm;

import dev.colloquy.conversation.ConversationManagement;
import dev.colloquy.user.ApiKeyLimits;
import dev.colloquy.user.CurrentUser;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs model calls: picks the model, then for it and each of its fallbacks in turn: a concurrency
 * limit, a circuit breaker, and retries with exponential backoff and jitter (honouring the upstream's
 * {@code Retry-After}) on rate limits, server errors, time-outs and broken streams. Once a token has
 * reached the client nothing is retried: the answer so far is returned as incomplete. Every answered
 * call is billed once in the usage ledger.
 */
@Service
public class LlmGateway {

    private static final Logger log = LoggerFactory.getLogger(LlmGateway.class);

    private final ModelRegistry models;
    private final LlmProperties properties;
    private final UsageLedger ledger;
    private final Budgets budgets;
    private final RateLimits rateLimits;
    private final AnswerCache answers;
    private final SemanticCache semantic;
    private final LlmMetrics metrics;
    private final OpenAiCompatibleProvider openAi;
    private final AnthropicProvider anthropic;
    private final ChatProvider local;
    private final Map<String, CircuitBreaker> breakers = new ConcurrentHashMap<>();
    private final Map<String, Semaphore> limits = new ConcurrentHashMap<>();

    LlmGateway(
            ModelRegistry models,
            LlmProperties properties,
            UsageLedger ledger,
            Budgets budgets,
            RateLimits rateLimits,
            AnswerCache answers,
            SemanticCache semantic,
            LlmMetrics metrics,
            ConversationManagement conversations,
            JsonMapper json) {
        this.models = models;
        this.properties = properties;
        this.ledger = ledger;
        this.budgets = budgets;
        this.rateLimits = rateLimits;
        this.answers = answers;
        this.semantic = semantic;
        this.metrics = metrics;
        var http = new SseUpstream(properties.connectTimeout(), json);
        this.openAi = new OpenAiCompatibleProvider(http);
        this.anthropic = new AnthropicProvider(http);
        this.local = new LocalModel(conversations);
    }

    /** The model a request names, or the default one. */
    public LlmModel resolve(String name) {
        if (name == null || name.isBlank()) {
            return models.defaultModel();
        }
        return models.find(name).orElseThrow(() -> new UnknownModel(name));
    }

    /**
     * Calls the model, streaming tokens to the sink as they arrive.
     *
     * @throws ModelUnavailable when no model of the chain answered
     * @throws ModelRejectedRequest when the upstream refused the request itself
     */
    public Completion complete(ChatRequest request, TokenSink sink) {
        var first = resolve(request.model());
        var chain = models.chain(first);
        int maxTokens = request.maxTokens() != null ? request.maxTokens() : Math.min(4_096, first.contextWindow() / 4);
        var bounded = new ChatRequest(
                request.userId(),
                request.model(),
                request.messages(),
                request.temperature(),
                maxTokens,
                request.conversationId(),
                request.notRetrieved(),
                request.cache(),
                request.apiKey(),
                request.sources());
        // the prompt as counted here, with a margin for upstreams whose tokenizer counts more
        int inputBound = (int) Math.ceil(Tokens.count(request.messages()) * 1.1) + 16;
        var worstCase = chain.stream()
                .map(model -> model.cost(inputBound, maxTokens))
                .max(java.math.BigDecimal::compareTo)
                .orElseThrow();
        rateLimits.admit(request.userId(), request.apiKey(), inputBound + maxTokens);
        var policy = request.cache();
        var cacheKey = policy.eligible(request.temperature()) ? answers.key(request.userId(), first, bounded) : null;
        var question = cacheKey != null && semantic.enabled() ? SemanticCache.firstTurnQuestion(bounded) : null;
        float[] questionVector = null;
        if (cacheKey != null && policy.read()) {
            var hit = answers.find(cacheKey);
            if (hit.isPresent()) {
                return replay(first, bounded, hit.get(), sink, "exact");
            }
            if (question != null) {
                questionVector = semantic.embed(question);
                var match = semantic.find(request.userId(), first, bounded, questionVector);
                if (match.isPresent()) {
                    metrics.semanticSimilarity(first, match.get().similarity());
                    if (policy.write()) {
                        // the same words again are then an exact hit, without embedding them
                        answers.store(cacheKey, match.get().answer(), policy.ttl());
                    }
                    return replay(first, bounded, match.get().answer(), sink, "semantic");
                }
            }
        }
        if (cacheKey != null) {
            metrics.cacheMiss(first);
        }
        var reservation = budgets.reserve(request.userId(), worstCase);
        try {
            var completion = completeWithin(first, chain, bounded, sink, inputBound + maxTokens);
            budgets.settle(reservation, completion.costUsd());
            reservation = null;
            if (cacheKey != null && policy.write() && completion.complete()) {
                var answer = new AnswerCache.CachedAnswer(
                        completion.model(),
                        completion.text(),
                        completion.inputTokens(),
                        completion.outputTokens(),
                        completion.costUsd());
                answers.store(cacheKey, answer, policy.ttl());
                if (question != null) {
                    var vector = questionVector != null ? questionVector : semantic.embed(question);
                    semantic.store(request.userId(), first, bounded, question, vector, answer, policy.ttl());
                }
            }
            return completion;
        } finally {
            budgets.release(reservation);
        }
    }

    /**
     * Drops the semantic response-cache entries whose answer used this document (exact entries key on
     * the document's version, so a changed document never matches them again).
     */
    public void forgetAnswersUsing(UUID documentId) {
        semantic.forgetDocument(documentId);
    }

    /** Streams a cached answer like a fresh one; billed at nothing, with what it saved in the ledger. */
    private Completion replay(
            LlmModel model, ChatRequest request, AnswerCache.CachedAnswer hit, TokenSink sink, String kind) {
        long started = System.nanoTime();
        Duration firstToken = null;
        boolean delivered = true;
        var sent = new StringBuilder();
        for (var piece : hit.text().split("(?<= )")) {
            try {
                sink.accept(piece);
            } catch (IOException clientGone) {
                delivered = false;
                break;
            }
            if (firstToken == null) {
                firstToken = Duration.ofNanos(System.nanoTime() - started);
            }
            sent.append(piece);
        }
        var latency = Duration.ofNanos(System.nanoTime() - started);
        var usage = UsageRecord.of(
                        request.userId(),
                        request.conversationId(),
                        model,
                        hit.inputTokens(),
                        hit.outputTokens(),
                        "cached",
                        latency)
                .servedFromCache(hit.costUsd());
        ledger.record(usage);
        metrics.cacheHit(model, kind, hit.costUsd());
        return new Completion(
                hit.model(),
                model.provider(),
                sent.toString(),
                hit.inputTokens(),
                hit.outputTokens(),
                java.math.BigDecimal.ZERO,
                delivered,
                delivered ? "stop" : "client_disconnected",
                latency,
                firstToken,
                latency,
                true);
    }

    private Completion completeWithin(
            LlmModel first, List<LlmModel> chain, ChatRequest request, TokenSink sink, int tokens) {
        long started = System.nanoTime();
        UpstreamFailure last = null;
        LlmModel previous = null;
        Duration modelLimitedFor = null;
        for (var model : chain) {
            var wait = rateLimits.admitModel(model, request.userId(), tokens);
            if (wait.isPositive()) {
                // over the upstream's limits (or this user's share of them): the next model may have room
                modelLimitedFor =
                        modelLimitedFor == null || wait.compareTo(modelLimitedFor) < 0 ? wait : modelLimitedFor;
                continue;
            }
            if (previous != null) {
                metrics.fallback(previous, model);
                log.atWarn()
                        .addKeyValue("gen_ai.request.model", model.name())
                        .log("Falling back from {} to {}", previous.name(), model.name());
            }
            previous = model;
            var breaker = breaker(model);
            if (!breaker.tryAcquirePermission()) {
                metrics.upstreamError(model, "circuit_open");
                last = new UpstreamFailure(UpstreamFailure.Kind.SERVER_ERROR, "circuit open", null);
                continue;
            }
            var limit = limits.computeIfAbsent(model.name(), name -> new Semaphore(model.maxConcurrency(), true));
            try {
                if (!limit.tryAcquire(properties.connectTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                    breaker.releasePermission();
                    metrics.upstreamError(model, "concurrency_limit");
                    last = new UpstreamFailure(UpstreamFailure.Kind.RATE_LIMITED, "too many calls in flight", null);
                    continue;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                breaker.releasePermission();
                throw new ModelUnavailable(model.name(), "interrupted", Duration.ofSeconds(1));
            }
            long modelStarted = System.nanoTime();
            try {
                return callWithRetries(model, breaker, request, sink, started);
            } catch (UpstreamFailure failure) {
                last = failure;
                recordFailure(model, request, modelStarted);
                if (!failure.kind().retriable) {
                    if (failure.kind() == UpstreamFailure.Kind.REJECTED) {
                        throw new ModelRejectedRequest(model.name(), failure.getMessage());
                    }
                    continue;
                }
            } finally {
                limit.release();
            }
        }
        if (last == null && modelLimitedFor != null) {
            throw new RateLimited("model's per-minute", modelLimitedFor);
        }
        var retryAfter = last != null && last.retryAfter() != null ? last.retryAfter() : Duration.ofSeconds(5);
        throw new ModelUnavailable(first.name(), last == null ? "no model" : last.getMessage(), retryAfter);
    }

    /**
     * Embeds the input with the model's upstream, with the same retries and breaker as chat calls,
     * and bills the input tokens.
     *
     * @throws NoEmbeddings when the model has no embeddings endpoint (the built-in model)
     */
    public tools.jackson.databind.JsonNode embed(
            CurrentUser caller, String modelName, tools.jackson.databind.JsonNode input) {
        return embed(caller.id(), caller.apiKey(), modelName, input);
    }

    /**
     * Names the vectors an embedding model makes, for storing beside them: the model and the upstream
     * model behind it, so pointing the name at another upstream model re-embeds.
     *
     * @throws UnknownModel when no model has this name
     * @throws NoEmbeddings when the model has no embeddings endpoint (the built-in model)
     */
    public String embeddingModelId(String modelName) {
        var model = resolve(modelName);
        if (!model.provider().equals("openai")) {
            throw new NoEmbeddings(model.name());
        }
        return model.name() + "/" + model.upstreamModel();
    }

    /**
     * Embeds texts with the model's upstream for a user (rate limits, budget and ledger as for any
     * call of theirs), as unit vectors in the order given.
     */
    public List<float[]> embedTexts(UUID userId, String modelName, List<String> texts) {
        var input = tools.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
        texts.forEach(input::add);
        var body = embed(userId, null, modelName, input);
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
                        modelName, "the upstream returned no vector for input " + i, Duration.ofSeconds(5));
            }
        }
        return List.of(vectors);
    }

    private tools.jackson.databind.JsonNode embed(
            UUID userId,
            @org.jspecify.annotations.Nullable ApiKeyLimits apiKey,
            String modelName,
            tools.jackson.databind.JsonNode input) {
        var model = resolve(modelName);
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
            var body = embedWithRetries(userId, model, input, reservation);
            reservation = null;
            return body;
        } finally {
            budgets.release(reservation);
        }
    }

    private tools.jackson.databind.JsonNode embedWithRetries(
            UUID userId,
            LlmModel model,
            tools.jackson.databind.JsonNode input,
            Budgets.@org.jspecify.annotations.Nullable Reservation reservation) {
        var breaker = breaker(model);
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
                sleep(backoff(attempt, failure));
            }
        }
    }

    private Completion callWithRetries(
            LlmModel model, CircuitBreaker breaker, ChatRequest request, TokenSink sink, long started)
            throws UpstreamFailure {
        ChatProvider provider = switch (model.provider()) {
            case LlmModel.LOCAL -> local;
            case "anthropic" -> anthropic;
            default -> openAi;
        };
        var counting = new CountingSink(sink);
        for (int attempt = 1; ; attempt++) {
            long callStarted = System.nanoTime();
            var now = Instant.now();
            var deadlines = new ChatProvider.Deadlines(
                    now.plus(properties.firstTokenTimeout()), now.plus(model.timeout()), properties.idleTimeout());
            metrics.streamStarted();
            try {
                var result = provider.stream(model, request, counting, deadlines);
                breaker.onSuccess(System.nanoTime() - callStarted, TimeUnit.NANOSECONDS);
                return bill(model, request, result, started, callStarted, counting);
            } catch (UpstreamFailure failure) {
                if (failure.kind() == UpstreamFailure.Kind.REJECTED) {
                    breaker.releasePermission(); // the request's fault, not the upstream's
                } else {
                    breaker.onError(System.nanoTime() - callStarted, TimeUnit.NANOSECONDS, failure);
                }
                metrics.upstreamError(model, failure.kind().tag());
                if (!failure.kind().retriable
                        || attempt >= properties.retry().maxAttempts()
                        || !breaker.tryAcquirePermission()) {
                    throw failure;
                }
                sleep(backoff(attempt, failure));
            } finally {
                metrics.streamEnded();
            }
        }
    }

    private Completion bill(
            LlmModel model,
            ChatRequest request,
            ProviderResult result,
            long started,
            long callStarted,
            CountingSink sink) {
        var latency = Duration.ofNanos(System.nanoTime() - started);
        // before the answering call: model choice, limits, breakers, failed attempts and their backoff
        var overhead = Duration.ofNanos(callStarted - started);
        var completion = new Completion(
                model.name(),
                model.provider(),
                result.text(),
                result.inputTokens(),
                result.outputTokens(),
                model.cost(result.inputTokens(), result.outputTokens()),
                result.complete(),
                result.finishReason(),
                latency,
                sink.firstTokenAt() == 0 ? null : Duration.ofNanos(sink.firstTokenAt() - callStarted),
                overhead,
                false);
        ledger.record(UsageRecord.of(
                request.userId(),
                request.conversationId(),
                model,
                completion.inputTokens(),
                completion.outputTokens(),
                completion.complete() ? "complete" : "incomplete",
                latency));
        metrics.completed(model, completion, completion.complete() ? "complete" : "incomplete");
        return completion;
    }

    /** A call that produced nothing is in the ledger too: no tokens, no cost. */
    private void recordFailure(LlmModel model, ChatRequest request, long startedNanos) {
        ledger.record(UsageRecord.of(
                request.userId(),
                request.conversationId(),
                model,
                0,
                0,
                "failed",
                Duration.ofNanos(System.nanoTime() - startedNanos)));
    }

    private Duration backoff(int attempt, UpstreamFailure failure) {
        var max = properties.retry().maxBackoff();
        if (failure.retryAfter() != null) {
            return failure.retryAfter().compareTo(max) > 0 ? max : failure.retryAfter();
        }
        long base = properties.retry().initialBackoff().toMillis() << Math.min(attempt - 1, 16);
        long capped = Math.min(base, max.toMillis());
        return Duration.ofMillis(capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1));
    }

    private CircuitBreaker breaker(LlmModel model) {
        var settings = properties.breaker();
        return breakers.computeIfAbsent(
                model.name(),
                name -> CircuitBreaker.of(
                        "llm-" + name,
                        CircuitBreakerConfig.custom()
                                .failureRateThreshold(settings.failureRateThreshold())
                                .minimumNumberOfCalls(settings.minimumCalls())
                                .slidingWindowSize(Math.max(20, settings.minimumCalls()))
                                .waitDurationInOpenState(settings.waitInOpen())
                                .permittedNumberOfCallsInHalfOpenState(2)
                                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                                .build()));
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Notes when the first token reached the client. */
    private static final class CountingSink implements TokenSink {

        private final TokenSink delegate;
        private long firstTokenAt;

        CountingSink(TokenSink delegate) {
            this.delegate = delegate;
        }

        @Override
        public void accept(String token) throws IOException {
            if (firstTokenAt == 0) {
                firstTokenAt = System.nanoTime();
            }
            delegate.accept(token);
        }

        long firstTokenAt() {
            return firstTokenAt;
        }
    }
}
