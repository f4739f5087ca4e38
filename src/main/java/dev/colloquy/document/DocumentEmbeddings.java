package dev.colloquy.document;

import dev.colloquy.llm.LlmGateway;
import dev.colloquy.llm.embedding.Embedding;
import dev.colloquy.llm.embedding.LocalEmbeddings;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The embedding model of documents and questions: the in-process pair by default (bge-small-zh-v1.5
 * for Chinese and Japanese text, all-MiniLM-L6-v2 for the rest; see {@link LocalEmbeddings}), or,
 * with {@code colloquy.documents.embedding-model} naming a configured OpenAI-compatible model, that
 * model's upstream {@code /v1/embeddings} (billed to the document's owner like any call of theirs).
 * Every document is stored with {@link #model()}, so changing the setting re-embeds documents instead of
 * mixing vectors of two models.
 */
@Component
class DocumentEmbeddings {

    private static final Logger log = LoggerFactory.getLogger(DocumentEmbeddings.class);

    /**
     * What documents embedded in process record: the pair of models and how a chunk is put to them
     * (after its document's opening, {@link Chunker#embeddingText}). A change of either re-embeds those
     * documents in the background, at no cost to anyone. Documents embedded by an upstream model record
     * that model alone and keep their vectors when only the recipe changes: embedding them again would
     * bill their owners for what they did not ask.
     */
    static final String LOCAL = LocalEmbeddings.MODEL + ";opening-" + Chunker.OPENING_TOKENS;

    private final LocalEmbeddings local;
    private final LlmGateway gateway;
    private final @Nullable String upstream;
    private final String model;

    DocumentEmbeddings(DocumentProperties properties, LocalEmbeddings local, LlmGateway gateway) {
        this.local = local;
        this.gateway = gateway;
        var configured = properties.embeddingModel();
        this.upstream = configured == null || configured.isBlank() ? null : configured.strip();
        try {
            this.model = upstream == null ? LOCAL : gateway.embeddingModelId(upstream);
        } catch (RuntimeException e) {
            throw new IllegalStateException(
                    "colloquy.documents.embedding-model=" + upstream
                            + " must name a model of colloquy.llm.models with provider openai: " + e.getMessage(),
                    e);
        }
        log.info("Documents are embedded with {}", upstream == null ? model + " (in process)" : model + " (upstream)");
    }

    /**
     * What documents record as having embedded them: the upstream model, or the in-process pair (each
     * vector records which of the two made it).
     */
    String model() {
        return model;
    }

    /** The texts' vectors, in order; an upstream call is on the owner's account. */
    List<Embedding> embedAll(UUID owner, List<String> texts) {
        return upstream == null
                ? local.embedAll(texts)
                : gateway.embedTexts(owner, upstream, texts).stream()
                        .map(vector -> new Embedding(model, vector))
                        .toList();
    }

    Embedding embed(UUID owner, String text) {
        return upstream == null
                ? local.embed(text)
                : new Embedding(
                        model,
                        gateway.embedTexts(owner, upstream, List.of(text)).getFirst());
    }
}
