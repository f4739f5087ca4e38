package dev.colloquy.llm;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The LLM gateway.
 *
 * @param baseUrl one OpenAI-compatible upstream for the common case ({@code COLLOQUY_LLM_BASE_URL},
 *     such as {@code http://localhost:11434/v1})
 * @param apiKey its API key ({@code COLLOQUY_LLM_API_KEY}), if it needs one
 * @param model the upstream's model name ({@code COLLOQUY_LLM_MODEL}); also the name Colloquy gives it
 * @param inputPricePerMillion the single upstream's price per million input tokens, in USD
 * @param outputPricePerMillion the single upstream's price per million output tokens, in USD
 * @param contextWindow the single upstream's context window, in tokens
 * @param maxConcurrency calls in flight to the single upstream at most, per replica
 * @param images whether the single upstream's model takes images (the chat sends it a question's
 *     images); unset: it does not
 * @param models further models, each with its own upstream, prices, window, timeout and fallbacks
 * @param defaultModel the model of conversations that name none; unset: the first configured, else {@code local}
 * @param retry retries of one upstream call
 * @param breaker the circuit breaker of each model
 * @param budget what each user may spend
 * @param rateLimit how fast each user may call models
 * @param semanticCache answers to first-turn questions close in meaning to earlier ones
 * @param connectTimeout time to connect to an upstream
 * @param firstTokenTimeout time to the first streamed token
 * @param totalTimeout time for a whole answer, unless a model sets its own
 * @param idleTimeout once tokens flow, time without a new one before the stream counts as stalled:
 *     the answer so far is kept (incomplete) and billed
 * @param ledgerCommitWait how long a billed call waits for its usage record to commit before it
 *     answers; past it the record stays queued and is retried; 0 does not wait (faster, but a replica
 *     killed outright loses the usage of its last moment)
 */
@Validated
@ConfigurationProperties("colloquy.llm")
public record LlmProperties(
        @Nullable String baseUrl,
        @Nullable String apiKey,
        @Nullable String model,
        @DefaultValue("0") BigDecimal inputPricePerMillion,
        @DefaultValue("0") BigDecimal outputPricePerMillion,
        @DefaultValue("8192") int contextWindow,
        @DefaultValue("256") int maxConcurrency,
        @Nullable Boolean images,
        @DefaultValue List<ModelProperties> models,
        @Nullable String defaultModel,
        @DefaultValue Retry retry,
        @DefaultValue Breaker breaker,
        @DefaultValue Budget budget,
        @DefaultValue RateLimit rateLimit,
        @DefaultValue SemanticCache semanticCache,
        @DefaultValue("5s") Duration connectTimeout,
        @DefaultValue("60s") Duration firstTokenTimeout,
        @DefaultValue("300s") Duration totalTimeout,
        @DefaultValue("60s") Duration idleTimeout,
        @DefaultValue("3s") Duration ledgerCommitWait) {

    /**
     * One model.
     *
     * @param name the name clients use
     * @param provider {@code openai} (any OpenAI-compatible API) or {@code anthropic} (the Messages API)
     * @param baseUrl the upstream's API root, such as {@code https://api.openai.com/v1}
     * @param apiKey the upstream's key
     * @param upstreamModel the upstream's name for the model; unset: {@code name}
     * @param inputPricePerMillion USD per million input tokens
     * @param outputPricePerMillion USD per million output tokens
     * @param contextWindow tokens the model reads at most
     * @param maxConcurrency calls in flight to this model at most, per replica
     * @param timeout time for a whole answer; unset: {@code total-timeout}
     * @param fallbacks models tried in order when this one fails
     * @param requestsPerMinute the upstream's limit of calls per minute for all replicas; 0: none
     * @param tokensPerMinute the upstream's limit of tokens per minute for all replicas; 0: none
     * @param dropParams drop a parameter the upstream's API cannot honour (listed in the answer's
     *     {@code X-Colloquy-Dropped-Params}) instead of answering 400
     * @param structuredOutput the model takes a JSON schema for its answer (Anthropic's structured
     *     outputs), so {@code response_format: json_schema} is translated rather than refused
     * @param cachedInputPricePerMillion USD per million prompt tokens read from the upstream's prompt
     *     cache; unset: the input price
     * @param cacheWritePricePerMillion USD per million prompt tokens written to the upstream's prompt
     *     cache; unset: the input price
     * @param reasoningPricePerMillion USD per million reasoning tokens; unset: the output price
     * @param images the model takes images in a question, so the chat sends it a question's images;
     *     unset: {@code true} for {@code anthropic} (every Claude model does), {@code false} for
     *     {@code openai}, whose servers differ (gpt-4o does, many local models do not)
     */
    public record ModelProperties(
            String name,
            @DefaultValue("openai") String provider,
            @Nullable String baseUrl,
            @Nullable String apiKey,
            @Nullable String upstreamModel,
            @DefaultValue("0") BigDecimal inputPricePerMillion,
            @DefaultValue("0") BigDecimal outputPricePerMillion,
            @DefaultValue("8192") int contextWindow,
            @DefaultValue("256") int maxConcurrency,
            @Nullable Duration timeout,
            @DefaultValue List<String> fallbacks,
            @DefaultValue("0") int requestsPerMinute,
            @DefaultValue("0") int tokensPerMinute,
            @DefaultValue("false") boolean dropParams,
            @DefaultValue("false") boolean structuredOutput,
            @Nullable BigDecimal cachedInputPricePerMillion,
            @Nullable BigDecimal cacheWritePricePerMillion,
            @Nullable BigDecimal reasoningPricePerMillion,
            @Nullable Boolean images) {}

    /**
     * @param failureRateThreshold percentage of failed calls that opens a model's breaker
     * @param minimumCalls calls in the window before the rate is judged
     * @param waitInOpen how long an open breaker sends calls straight to the fallbacks
     */
    public record Breaker(
            @DefaultValue("50") float failureRateThreshold,
            @DefaultValue("10") int minimumCalls,
            @DefaultValue("15s") Duration waitInOpen) {}

    /**
     * @param maxAttempts calls of one upstream for one request, the first included
     * @param initialBackoff wait before the first retry; doubles each time, with jitter
     * @param maxBackoff longest wait, also the most of an upstream's {@code Retry-After} honoured
     */
    public record Retry(
            @DefaultValue("3") int maxAttempts,
            @DefaultValue("250ms") Duration initialBackoff,
            @DefaultValue("5s") Duration maxBackoff) {}

    /**
     * @param monthlyUsd what each user may spend per calendar month (UTC), in USD; unset: no limit
     * @param reservationTtl how long a reservation held by a call outlives the call (a crashed
     *     replica's reservations are released after it)
     */
    public record Budget(
            @Nullable BigDecimal monthlyUsd,
            @DefaultValue("10m") Duration reservationTtl) {

        public Budget {
            if (monthlyUsd != null && monthlyUsd.signum() < 0) {
                throw new IllegalArgumentException("colloquy.llm.budget.monthly-usd cannot be negative");
            }
        }
    }

    /**
     * Per-user limits, enforced across replicas through Redis (within each replica without it).
     *
     * @param requestsPerMinute model calls per minute; 0: no limit
     * @param tokensPerMinute prompt and answer tokens per minute (counted up front: the prompt and
     *     {@code max_tokens}); 0: no limit
     * @param modelShare the part of a model's own per-minute limits one user may take, so one user
     *     cannot starve the rest
     */
    public record RateLimit(
            @DefaultValue("0") int requestsPerMinute,
            @DefaultValue("0") int tokensPerMinute,
            @DefaultValue("0.5") double modelShare) {

        public RateLimit {
            if (requestsPerMinute < 0 || tokensPerMinute < 0) {
                throw new IllegalArgumentException("colloquy.llm.rate-limit values cannot be negative");
            }
            if (!(modelShare > 0 && modelShare <= 1)) {
                throw new IllegalArgumentException("colloquy.llm.rate-limit.model-share must be in (0, 1]");
            }
        }
    }

    /**
     * @param enabled whether cache-eligible first turns are looked up by meaning after an exact miss
     * @param threshold cosine similarity at or above which an earlier question counts as the same
     *     (all-MiniLM-L6-v2, or the upstream embedding model)
     * @param chineseThreshold the same for Chinese and Japanese questions (bge-small-zh-v1.5, whose
     *     questions on different subjects come closer: 0.92 for "the weather in Beijing today" and
     *     "tomorrow"; BENCHMARKS.md)
     * @param ttl how long an entry lives unless the request's max-age says otherwise
     * @param maxCandidates how many of the scope's newest entries a lookup compares
     */
    public record SemanticCache(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("0.92") double threshold,
            @DefaultValue("0.95") double chineseThreshold,
            @DefaultValue("24h") Duration ttl,
            @DefaultValue("500") int maxCandidates) {

        public SemanticCache {
            if (threshold <= 0 || threshold > 1 || chineseThreshold <= 0 || chineseThreshold > 1 || maxCandidates < 1) {
                throw new IllegalArgumentException(
                        "colloquy.llm.semantic-cache: threshold and chinese-threshold in (0, 1], max-candidates >= 1");
            }
        }
    }
}
