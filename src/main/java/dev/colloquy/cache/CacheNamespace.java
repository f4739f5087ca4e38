package dev.colloquy.cache;

import java.time.Duration;

/** The cache's namespaces, each with its own key prefix and default time to live. */
public enum CacheNamespace {
    CONVERSATION("conversation", Duration.ofMinutes(5)),
    USER("user", Duration.ofMinutes(10)),
    DOCUMENT_METADATA("document_metadata", Duration.ofMinutes(30)),
    SESSION("session", Duration.ofMinutes(15)),
    HTTP("http", Duration.ofSeconds(60)),
    /** Model answers of the LLM response cache; entries carry their own TTL. */
    LLM_RESPONSE("llm_response", Duration.ofHours(1));

    private final String label;
    private final Duration defaultTtl;

    CacheNamespace(String label, Duration defaultTtl) {
        this.label = label;
        this.defaultTtl = defaultTtl;
    }

    /** The name used in keys, configuration and metric tags. */
    public String label() {
        return label;
    }

    Duration defaultTtl() {
        return defaultTtl;
    }
}
