package dev.colloquy.llm;

import dev.colloquy.llm.answers.AnswerCache;
import dev.colloquy.llm.answers.SemanticCache;
import dev.colloquy.llm.embedding.Embedding;
import dev.colloquy.llm.embedding.UpstreamEmbeddings;
import dev.colloquy.llm.provider.Providers;
import dev.colloquy.llm.routing.Billing;
import dev.colloquy.llm.routing.LlmMetrics;
import dev.colloquy.llm.routing.ModelRouting;
import dev.colloquy.llm.spend.Budgets;
import dev.colloquy.llm.spend.RateLimits;
import dev.colloquy.user.ApiKeyLimits;
import dev.colloquy.user.CurrentUser;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;
import tools.jackson.databind.JsonNode;

/**
 * Runs model calls, one pipeline for every caller (conversation turns, {@code /v1}): the steps are
 * numbered in {@link #complete(ChatRequest, AnswerSink)}. Every answered call is billed once in the
 * usage ledger.
 */
@Service
public class LlmGateway {

    private final ModelRegistry models;
    private final Providers providers;
    private final ModelRouting routing;
    private final Budgets budgets;
    private final RateLimits rateLimits;
    private final AnswerCache answers;
    private final SemanticCache semantic;
    private final Billing billing;
    private final LlmMetrics metrics;
    private final UpstreamEmbeddings embeddings;
    private final ModelAccess access;

    LlmGateway(
            ModelRegistry models,
            Providers providers,
            ModelRouting routing,
            Budgets budgets,
            RateLimits rateLimits,
            AnswerCache answers,
            SemanticCache semantic,
            Billing billing,
            LlmMetrics metrics,
            UpstreamEmbeddings embeddings,
            ModelAccess access) {
        this.access = access;
        this.models = models;
        this.providers = providers;
        this.routing = routing;
        this.budgets = budgets;
        this.rateLimits = rateLimits;
        this.answers = answers;
        this.semantic = semantic;
        this.billing = billing;
        this.metrics = metrics;
        this.embeddings = embeddings;
    }

    /** The model a request names, or the default one; for the installation's own use (document embeddings). */
    public LlmModel resolve(@Nullable String name) {
        if (name == null || name.isBlank()) {
            return models.defaultModel();
        }
        return models.find(name).orElseThrow(() -> new UnknownModel(name));
    }

    /**
     * The model a caller's request names, or the default one (the first they may use, when they may
     * not use the default).
     *
     * @throws UnknownModel when no model has this name
     * @throws ModelNotAllowed when the caller's account or API key may not use it
     */
    public LlmModel resolve(UUID userId, @Nullable ApiKeyLimits apiKey, @Nullable String name) {
        return access.pick(name, access.of(userId, apiKey));
    }

    /**
     * The request's parameters the model's API cannot honour; with the model's {@code drop-params}
     * they are left out, else the call is refused.
     */
    public List<String> unsupported(LlmModel model, ChatRequest request) {
        return providers.of(model).unsupported(model, request);
    }

    /**
     * Calls the model, streaming its answer to the sink as it arrives.
     *
     * @throws UnsupportedParameters when the model cannot honour a parameter and may not drop it
     * @throws ModelUnavailable when no model of the chain answered
     * @throws ModelRejectedRequest when the upstream refused the request itself
     */
    public Completion complete(ChatRequest request, AnswerSink sink) {
        // 1. the model (one the caller may use), its fallbacks among those, and a bound on the answer
        var allowed = access.of(request.userId(), request.apiKey());
        var first = access.pick(request.model(), allowed);
        var chain = access.chain(first, allowed);
        int maxTokens = request.maxTokens() != null ? request.maxTokens() : Math.min(4_096, first.contextWindow() / 4);
        var bounded = request.withOptions(request.options().withMaxTokens(maxTokens));
        // 2. what the model cannot honour is refused, unless its operator lets it be dropped
        var unsupported = unsupported(first, bounded);
        if (!unsupported.isEmpty() && !first.dropParams()) {
            throw new UnsupportedParameters(first, unsupported);
        }
        // 3. the caller's per-minute limits, on the prompt as counted here with a margin for upstreams
        //    whose tokenizer counts more
        int inputBound = (int) Math.ceil(Tokens.estimate(bounded) * 1.1) + 16;
        rateLimits.admit(request.userId(), request.apiKey(), inputBound + maxTokens);
        // 4. the response caches: the exact one, then the semantic one for a plain first question
        var policy = request.cache();
        var cacheKey = cacheable(bounded) ? answers.key(request.userId(), first, bounded) : null;
        var question = cacheKey != null && semantic.enabled() ? SemanticCache.firstTurnQuestion(bounded) : null;
        Embedding questionVector = null;
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
        // 5. the worst case reserved against the caller's budget
        var worstCase = chain.stream()
                .map(model -> model.cost(inputBound, maxTokens))
                .max(BigDecimal::compareTo)
                .orElseThrow();
        var reservation = budgets.reserve(request.userId(), worstCase);
        try {
            // 6. the call, along the model's fallbacks
            var completion = routing.call(chain, bounded, sink, inputBound + maxTokens);
            // 7. settled at what it cost, and kept for the next time it is asked
            budgets.settle(reservation, completion.costUsd());
            reservation = null;
            if (cacheKey != null && policy.write() && completion.complete()) {
                var answer = AnswerCache.CachedAnswer.of(completion);
                answers.store(cacheKey, answer, policy.ttl());
                if (question != null && completion.toolCalls().isEmpty()) {
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
     * Whether a call may be answered from the cache: deterministic or opted in, one answer, and no
     * per-token data (logprobs) that a replay would not have.
     */
    private static boolean cacheable(ChatRequest request) {
        var options = request.options();
        var logprobs = options.others().get("logprobs");
        return request.cache().eligible(options.temperature())
                && options.n() == 1
                && (logprobs == null || !logprobs.asBoolean(false));
    }

    /** Streams a cached answer like a fresh one: its text, then its tool calls whole. */
    private Completion replay(
            LlmModel model, ChatRequest request, AnswerCache.CachedAnswer hit, AnswerSink sink, String kind) {
        long started = System.nanoTime();
        Duration firstEvent = null;
        var finish = hit.finish() == null ? FinishReason.STOP : hit.finish();
        try {
            for (var piece : hit.text().split("(?<= )")) {
                if (piece.isEmpty()) {
                    continue;
                }
                sink.accept(new StreamEvent.Text(0, piece));
                if (firstEvent == null) {
                    firstEvent = Duration.ofNanos(System.nanoTime() - started);
                }
            }
            var calls = hit.toolCalls() == null ? List.<ToolCall>of() : hit.toolCalls();
            for (int i = 0; i < calls.size(); i++) {
                var call = calls.get(i);
                sink.accept(new StreamEvent.ToolCallDelta(0, i, call.id(), call.name(), call.arguments()));
            }
        } catch (IOException clientGone) {
            finish = FinishReason.CLIENT_DISCONNECTED;
        }
        var latency = Duration.ofNanos(System.nanoTime() - started);
        return billing.cached(model, request, hit, kind, finish, latency, firstEvent == null ? latency : firstEvent);
    }

    /**
     * Embeds the input with the model's upstream and bills the input tokens.
     *
     * @throws NoEmbeddings when the model has no embeddings endpoint (the built-in model)
     */
    public JsonNode embed(CurrentUser caller, String modelName, JsonNode input) {
        return embeddings.embed(caller.id(), caller.apiKey(), resolve(caller.id(), caller.apiKey(), modelName), input);
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
        return embeddings.vectors(userId, resolve(modelName), texts);
    }
}
