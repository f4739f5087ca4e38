package dev.colloquy.llm;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The models of this service: those configured under {@code colloquy.llm.models}, the single
 * upstream of {@code COLLOQUY_LLM_BASE_URL}/{@code _MODEL}, and always the built-in {@code local} model.
 */
@Component
public class ModelRegistry {

    private static final Logger log = LoggerFactory.getLogger(ModelRegistry.class);

    private final Map<String, LlmModel> models = new LinkedHashMap<>();
    private final String defaultModel;

    ModelRegistry(LlmProperties properties) {
        for (var configured : properties.models()) {
            add(new LlmModel(
                    configured.name(),
                    configured.provider(),
                    trimSlash(configured.baseUrl()),
                    configured.apiKey(),
                    configured.upstreamModel() == null ? configured.name() : configured.upstreamModel(),
                    configured.inputPricePerMillion(),
                    configured.outputPricePerMillion(),
                    configured.contextWindow(),
                    configured.maxConcurrency(),
                    configured.timeout() == null ? properties.totalTimeout() : configured.timeout(),
                    configured.fallbacks(),
                    configured.requestsPerMinute(),
                    configured.tokensPerMinute(),
                    configured.dropParams(),
                    configured.structuredOutput(),
                    configured.cachedInputPricePerMillion(),
                    configured.cacheWritePricePerMillion(),
                    configured.reasoningPricePerMillion(),
                    configured.images() != null
                            ? configured.images()
                            : configured.provider().equals("anthropic")));
        }
        if (properties.baseUrl() != null && !properties.baseUrl().isBlank()) {
            if (properties.model() == null || properties.model().isBlank()) {
                throw new IllegalArgumentException(
                        "COLLOQUY_LLM_BASE_URL is set: set COLLOQUY_LLM_MODEL to the upstream's model name too");
            }
            add(new LlmModel(
                    properties.model(),
                    "openai",
                    trimSlash(properties.baseUrl()),
                    properties.apiKey(),
                    properties.model(),
                    properties.inputPricePerMillion(),
                    properties.outputPricePerMillion(),
                    properties.contextWindow(),
                    properties.maxConcurrency(),
                    properties.totalTimeout(),
                    List.of(),
                    0,
                    0,
                    false,
                    false,
                    null,
                    null,
                    null,
                    Boolean.TRUE.equals(properties.images())));
        }
        add(new LlmModel(
                LlmModel.LOCAL,
                LlmModel.LOCAL,
                null,
                null,
                LlmModel.LOCAL,
                BigDecimal.ZERO,
                BigDecimal.ZERO,
                1_000_000,
                1_000,
                properties.totalTimeout(),
                List.of(),
                0,
                0,
                false,
                false,
                null,
                null,
                null,
                false));
        for (var model : models.values()) {
            for (var fallback : model.fallbacks()) {
                if (!models.containsKey(fallback)) {
                    throw new IllegalArgumentException(
                            "model " + model.name() + " falls back to unknown model " + fallback);
                }
            }
        }
        var chosen = properties.defaultModel();
        if (chosen == null || chosen.isBlank()) {
            chosen = models.keySet().iterator().next();
        } else if (!models.containsKey(chosen)) {
            throw new IllegalArgumentException("colloquy.llm.default-model names unknown model " + chosen);
        }
        this.defaultModel = chosen;
        if (defaultModel.equals(LlmModel.LOCAL)) {
            log.info(
                    "No LLM upstream configured: conversations use the built-in 'local' model, which quotes from the"
                            + " user's own conversations and documents. Set COLLOQUY_LLM_BASE_URL and COLLOQUY_LLM_MODEL for a generative model.");
        } else {
            log.info("LLM models: {} (default {})", models.keySet(), defaultModel);
        }
    }

    public Optional<LlmModel> find(String name) {
        return Optional.ofNullable(models.get(name));
    }

    public LlmModel defaultModel() {
        return models.get(defaultModel);
    }

    public Collection<LlmModel> all() {
        return List.copyOf(models.values());
    }

    /** The model and, in order, the models to fall back to; each once. */
    List<LlmModel> chain(LlmModel first) {
        var chain = new ArrayList<LlmModel>();
        var pending = new ArrayList<>(List.of(first.name()));
        while (!pending.isEmpty()) {
            var next = models.get(pending.removeFirst());
            if (next != null && !chain.contains(next)) {
                chain.add(next);
                pending.addAll(next.fallbacks());
            }
        }
        return chain;
    }

    private void add(LlmModel model) {
        if (models.putIfAbsent(model.name(), model) != null) {
            throw new IllegalArgumentException("model " + model.name() + " is configured twice");
        }
    }

    private static @org.jspecify.annotations.Nullable String trimSlash(@org.jspecify.annotations.Nullable String url) {
        return url == null ? null : url.replaceAll("/+$", "");
    }
}
