package dev.colloquy.llm;

import dev.colloquy.cache.CacheNamespace;
import dev.colloquy.cache.TwoTierCache;
import dev.colloquy.cache.TypedCache;
import java.math.BigDecimal;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * The exact response cache: an answer is kept under the hash of the canonical request (the caller,
 * the model and its upstream name, every parameter that changes the output, and every message with
 * its role, system prompt included, and the version of every document passage retrieved for it), so
 * a changed document never matches an old answer, and an answer is only ever served to the same caller asking exactly the
 * same thing of the same model.
 */
@Component
class AnswerCache {

    /** A cached answer and what producing it cost. */
    record CachedAnswer(String model, String text, int inputTokens, int outputTokens, BigDecimal costUsd) {}

    private static final Duration DEFAULT_TTL = Duration.ofHours(1);

    private final TypedCache<CachedAnswer> entries;
    private final JsonMapper json;

    AnswerCache(TwoTierCache cache, JsonMapper json) {
        this.entries = cache.typed(CacheNamespace.LLM_RESPONSE, CachedAnswer.class);
        this.json = json;
    }

    String key(UUID userId, LlmModel model, ChatRequest request) {
        var canonical = new LinkedHashMap<String, Object>();
        canonical.put("v", 1);
        canonical.put("user", userId.toString());
        canonical.put("model", model.name());
        canonical.put("upstream", model.upstreamModel());
        canonical.put("temperature", request.temperature());
        canonical.put("max_tokens", request.maxTokens());
        var messages = new ArrayList<List<String>>();
        request.messages().forEach(m -> messages.add(List.of(m.role(), m.content())));
        canonical.put("messages", messages);
        if (!request.sources().isEmpty()) {
            canonical.put(
                    "sources",
                    request.sources().stream()
                            .map(s -> s.documentId() + ":" + s.documentVersion() + ":" + s.chunkId())
                            .toList());
        }
        return HexFormat.of().formatHex(sha256(json.writeValueAsBytes(canonical)));
    }

    Optional<CachedAnswer> find(String key) {
        return entries.get(key);
    }

    void store(String key, CachedAnswer answer, @Nullable Duration ttl) {
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
