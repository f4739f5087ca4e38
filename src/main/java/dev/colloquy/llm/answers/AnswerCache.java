package dev.colloquy.llm.answers;

import dev.colloquy.cache.CacheNamespace;
import dev.colloquy.cache.TwoTierCache;
import dev.colloquy.cache.TypedCache;
import dev.colloquy.llm.ChatRequest;
import dev.colloquy.llm.Completion;
import dev.colloquy.llm.FinishReason;
import dev.colloquy.llm.LlmModel;
import dev.colloquy.llm.ToolCall;
import dev.colloquy.llm.provider.openai.OpenAiWire;
import java.math.BigDecimal;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The exact response cache: an answer is kept under the hash of the canonical request (the caller,
 * the model and its upstream name, every parameter that changes the output, and every message with
 * its role, system prompt included, and the version of every document passage retrieved for it), so
 * a changed document never matches an old answer, and an answer is only ever served to the same caller asking exactly the
 * same thing of the same model.
 */
@Component
public class AnswerCache {

    /**
     * A cached answer and what producing it cost. Entries written before tool calls were kept read
     * {@code toolCalls} and {@code finish} as null: a text answer that stopped.
     */
    public record CachedAnswer(
            String model,
            String text,
            int inputTokens,
            int outputTokens,
            BigDecimal costUsd,
            @Nullable List<ToolCall> toolCalls,
            @Nullable FinishReason finish) {

        CachedAnswer(String model, String text, int inputTokens, int outputTokens, BigDecimal costUsd) {
            this(model, text, inputTokens, outputTokens, costUsd, List.of(), FinishReason.STOP);
        }

        public static CachedAnswer of(Completion completion) {
            return new CachedAnswer(
                    completion.model(),
                    completion.text(),
                    completion.inputTokens(),
                    completion.outputTokens(),
                    completion.costUsd(),
                    completion.toolCalls(),
                    completion.finish());
        }
    }

    private static final Duration DEFAULT_TTL = Duration.ofHours(1);

    private final TypedCache<CachedAnswer> entries;
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final JsonMapper SORTED = JsonMapper.builder()
            .enable(tools.jackson.databind.SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .enable(tools.jackson.databind.cfg.JsonNodeFeature.WRITE_PROPERTIES_SORTED)
            .build();

    AnswerCache(TwoTierCache cache) {
        this.entries = cache.typed(CacheNamespace.LLM_RESPONSE, CachedAnswer.class);
    }

    /**
     * The key: the caller, the model and its upstream name, and the canonical JSON (keys sorted) of
     * the whole effective request as the OpenAI wire states it: every message with its parts and tool
     * calls, every parameter, tools and answer schema included, and the version of every document
     * passage retrieved for it.
     */
    public String key(UUID userId, LlmModel model, ChatRequest request) {
        return keyOf(userId, model, request);
    }

    static String keyOf(UUID userId, LlmModel model, ChatRequest request) {
        var canonical = NODES.objectNode()
                .put("v", 2)
                .put("user", userId.toString())
                .put("model", model.name())
                .put("upstream", model.upstreamModel());
        var effective = effective(request);
        if (request.openAiBody() == null || !request.openAiBody().has("max_tokens")) {
            effective.put("max_tokens", request.maxTokens());
        }
        canonical.set("request", effective);
        if (!request.sources().isEmpty()) {
            var sources = canonical.putArray("sources");
            request.sources().forEach(s -> sources.add(s.documentId() + ":" + s.documentVersion() + ":" + s.chunkId()));
        }
        // written with every object's keys in order, so field order never splits an entry
        // the caller's id leads the key, so deleting an account finds its entries by pattern
        return userId + ":" + HexFormat.of().formatHex(sha256(SORTED.writeValueAsBytes(canonical)));
    }

    /** The request as the OpenAI wire states it, without what the gateway rewrites; a shallow copy. */
    private static ObjectNode effective(ChatRequest request) {
        var effective = request.openAiBody() != null
                ? NODES.objectNode().setAll(request.openAiBody())
                : OpenAiWire.render(request);
        effective.remove("model");
        effective.remove("stream");
        effective.remove("stream_options");
        return effective;
    }

    /** Every parameter of the call but its messages, as canonical JSON. */
    static String canonicalOptions(ChatRequest request) {
        var effective = effective(request);
        effective.remove("messages");
        return SORTED.writeValueAsString(effective);
    }

    public Optional<CachedAnswer> find(String key) {
        return entries.get(key);
    }

    public void store(String key, CachedAnswer answer, @Nullable Duration ttl) {
        entries.put(key, answer, ttl == null ? DEFAULT_TTL : ttl);
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
