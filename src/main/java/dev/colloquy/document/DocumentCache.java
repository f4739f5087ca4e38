package dev.colloquy.document;

import dev.colloquy.cache.CacheNamespace;
import dev.colloquy.cache.TwoTierCache;
import dev.colloquy.cache.TypedCache;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.springframework.stereotype.Component;

/** Document metadata in the {@code document_metadata} namespace, per owner and id. */
@Component
class DocumentCache {

    private final TypedCache<Document> metadata;

    DocumentCache(TwoTierCache cache) {
        this.metadata = cache.typed(CacheNamespace.DOCUMENT_METADATA, Document.class);
    }

    Optional<Document> get(UUID userId, UUID id, Supplier<Optional<Document>> loader) {
        return Optional.ofNullable(
                metadata.getOrLoad(key(userId, id), () -> loader.get().orElse(null)));
    }

    /** Forgets the document on every replica: its status, chunks or existence changed. */
    void evict(UUID userId, UUID id) {
        metadata.evict(key(userId, id));
    }

    private static String key(UUID userId, UUID id) {
        return userId + ":" + id;
    }
}
