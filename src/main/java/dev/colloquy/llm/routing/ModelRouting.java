package dev.colloquy.llm.routing;

import dev.colloquy.llm.AnswerSink;
import dev.colloquy.llm.ChatRequest;
import dev.colloquy.llm.Completion;
import dev.colloquy.llm.LlmModel;
import dev.colloquy.llm.LlmProperties;
import dev.colloquy.llm.ModelRejectedRequest;
import dev.colloquy.llm.ModelUnavailable;
import dev.colloquy.llm.RateLimited;
import dev.colloquy.llm.StreamEvent;
import dev.colloquy.llm.provider.ChatProvider;
import dev.colloquy.llm.provider.Providers;
import dev.colloquy.llm.provider.UpstreamFailure;
import dev.colloquy.llm.spend.RateLimits;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Runs one call along a model and its fallbacks: for each in turn the model's per-minute limits, a
 * circuit breaker, a concurrency limit, and retries with exponential backoff and jitter (honouring
 * the upstream's {@code Retry-After}) on rate limits, server errors, time-outs and broken streams.
 * Once any of the answer has reached the client nothing is retried: the answer so far is returned as
 * incomplete. A fallback that cannot honour the request's parameters is passed over.
 */
@Component
public class ModelRouting {

    private static final Logger log = LoggerFactory.getLogger(ModelRouting.class);

    private final Providers providers;
    private final LlmProperties properties;
    private final RateLimits rateLimits;
    private final Billing billing;
    private final LlmMetrics metrics;
    private final Map<String, CircuitBreaker> breakers = new ConcurrentHashMap<>();
    private final Map<String, Semaphore> limits = new ConcurrentHashMap<>();

    ModelRouting(
            Providers providers, LlmProperties properties, RateLimits rateLimits, Billing billing, LlmMetrics metrics) {
        this.providers = providers;
        this.properties = properties;
        this.rateLimits = rateLimits;
        this.billing = billing;
        this.metrics = metrics;
    }

    /**
     * @param tokens the call's token estimate, for the models' per-minute limits
     * @throws ModelUnavailable when no model of the chain answered
     * @throws ModelRejectedRequest when an upstream refused the request itself
     * @throws RateLimited when every model of the chain is over its per-minute limits
     */
    public Completion call(List<LlmModel> chain, ChatRequest request, AnswerSink sink, int tokens) {
        long started = System.nanoTime();
        UpstreamFailure last = null;
        LlmModel previous = null;
        Duration modelLimitedFor = null;
        for (var model : chain) {
            if (previous != null
                    && !model.dropParams()
                    && !providers.of(model).unsupported(model, request).isEmpty()) {
                continue;
            }
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
            if (!acquire(limit, breaker, model)) {
                metrics.upstreamError(model, "concurrency_limit");
                last = new UpstreamFailure(UpstreamFailure.Kind.RATE_LIMITED, "too many calls in flight", null);
                continue;
            }
            long modelStarted = System.nanoTime();
            try {
                return withRetries(model, breaker, request, sink, started);
            } catch (UpstreamFailure failure) {
                last = failure;
                billing.failed(model, request, modelStarted);
                if (failure.kind() == UpstreamFailure.Kind.REJECTED) {
                    throw new ModelRejectedRequest(model.name(), failure.getMessage());
                }
            } finally {
                limit.release();
            }
        }
        if (last == null && modelLimitedFor != null) {
            throw new RateLimited("model's per-minute", modelLimitedFor);
        }
        var retryAfter = last != null && last.retryAfter() != null ? last.retryAfter() : Duration.ofSeconds(5);
        throw new ModelUnavailable(chain.getFirst().name(), last == null ? "no model" : last.getMessage(), retryAfter);
    }

    private Completion withRetries(
            LlmModel model, CircuitBreaker breaker, ChatRequest request, AnswerSink sink, long started)
            throws UpstreamFailure {
        var provider = providers.of(model);
        var timed = new FirstEvent(sink);
        for (int attempt = 1; ; attempt++) {
            long callStarted = System.nanoTime();
            var now = Instant.now();
            var deadlines = new ChatProvider.Deadlines(
                    now.plus(properties.firstTokenTimeout()), now.plus(model.timeout()), properties.idleTimeout());
            metrics.streamStarted();
            try {
                var result = provider.stream(model, request, timed, deadlines);
                breaker.onSuccess(System.nanoTime() - callStarted, TimeUnit.NANOSECONDS);
                return billing.bill(model, request, result, started, callStarted, timed.at);
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

    private boolean acquire(Semaphore limit, CircuitBreaker breaker, LlmModel model) {
        try {
            if (limit.tryAcquire(properties.connectTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                return true;
            }
            breaker.releasePermission();
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            breaker.releasePermission();
            throw new ModelUnavailable(model.name(), "interrupted", Duration.ofSeconds(1));
        }
    }

    public Duration backoff(int attempt, UpstreamFailure failure) {
        var max = properties.retry().maxBackoff();
        if (failure.retryAfter() != null) {
            return failure.retryAfter().compareTo(max) > 0 ? max : failure.retryAfter();
        }
        long base = properties.retry().initialBackoff().toMillis() << Math.min(attempt - 1, 16);
        long capped = Math.min(base, max.toMillis());
        return Duration.ofMillis(capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1));
    }

    public CircuitBreaker breaker(LlmModel model) {
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

    public static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Notes when the first event reached the client. */
    private static final class FirstEvent implements AnswerSink {

        private final AnswerSink delegate;
        private long at;

        FirstEvent(AnswerSink delegate) {
            this.delegate = delegate;
        }

        @Override
        public void accept(StreamEvent event) throws IOException {
            if (at == 0) {
                at = System.nanoTime();
            }
            delegate.accept(event);
        }

        @Override
        public void flush() throws IOException {
            delegate.flush();
        }
    }
}
