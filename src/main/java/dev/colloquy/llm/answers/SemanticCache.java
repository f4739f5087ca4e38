package dev.colloquy.llm.answers;

import dev.colloquy.llm.ChatRequest;
import dev.colloquy.llm.DocumentChanged;
import dev.colloquy.llm.DocumentSource;
import dev.colloquy.llm.LlmMessage;
import dev.colloquy.llm.LlmModel;
import dev.colloquy.llm.LlmProperties;
import dev.colloquy.llm.embedding.Embedding;
import dev.colloquy.llm.embedding.LocalEmbeddings;
import dev.colloquy.platform.Uuid7;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Array;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The semantic response cache, for first-turn questions only: a question close enough in meaning
 * (cosine similarity of MiniLM embeddings at or above the threshold) to one the same user asked the
 * same model under the same system prompt gets that answer. Entries expire; only the newest
 * candidates of the scope are compared.
 */
@Component
public class SemanticCache {

    /** A match and how similar its question was. */
    public record Match(AnswerCache.CachedAnswer answer, double similarity) {}

    private final JdbcClient jdbc;
    private final LocalEmbeddings embeddings;
    private final LlmProperties.SemanticCache settings;

    SemanticCache(JdbcClient jdbc, LocalEmbeddings embeddings, LlmProperties properties) {
        this.jdbc = jdbc;
        this.embeddings = embeddings;
        this.settings = properties.semanticCache();
    }

    public boolean enabled() {
        return settings.enabled();
    }

    /**
     * The question of a plain first turn (optional instructions, then one user message of text alone,
     * with no tools offered and no answer format asked), else null.
     */
    public static @Nullable String firstTurnQuestion(ChatRequest request) {
        var messages = request.messages();
        var options = request.options();
        if (!options.tools().isEmpty()
                || options.toolChoice() != null
                || options.responseFormat() != null && !options.responseFormat().isText()) {
            return null;
        }
        boolean onlyInstructionsBefore =
                messages.stream().limit(messages.size() - 1).allMatch(m -> m instanceof LlmMessage.Instruction);
        return messages.getLast() instanceof LlmMessage.User user && !user.hasAttachments() && onlyInstructionsBefore
                ? user.text()
                : null;
    }

    public Optional<Match> find(UUID userId, LlmModel model, ChatRequest request, Embedding question) {
        var candidates = jdbc.sql("""
                        select embedding, answer_model, answer, input_tokens, output_tokens, cost_usd
                          from llm_cache_entries
                         where user_id = :userId and model = :model and system_hash = :systemHash
                           and embedding_model = :embeddingModel and expires_at > now()
                         order by created_at desc
                         limit :limit
                        """)
                .param("userId", userId)
                .param("model", model.name())
                .param("systemHash", systemHash(request))
                .param("embeddingModel", question.model())
                .param("limit", settings.maxCandidates())
                .query((rs, row) -> new Object[] {
                    vector(rs.getArray("embedding")),
                    new AnswerCache.CachedAnswer(
                            rs.getString("answer_model"),
                            rs.getString("answer"),
                            rs.getInt("input_tokens"),
                            rs.getInt("output_tokens"),
                            rs.getBigDecimal("cost_usd"))
                })
                .list();
        Match best = null;
        double threshold =
                question.model().equals(LocalEmbeddings.CHINESE) ? settings.chineseThreshold() : settings.threshold();
        for (var candidate : candidates) {
            double similarity = LocalEmbeddings.similarity(question.vector(), (float[]) candidate[0]);
            if (similarity >= threshold && (best == null || similarity > best.similarity())) {
                best = new Match((AnswerCache.CachedAnswer) candidate[1], similarity);
            }
        }
        return Optional.ofNullable(best);
    }

    public void store(
            UUID userId,
            LlmModel model,
            ChatRequest request,
            String question,
            Embedding embedding,
            AnswerCache.CachedAnswer answer,
            @Nullable Duration ttl) {
        var vector = embedding.vector();
        var boxed = new Float[vector.length];
        for (int i = 0; i < vector.length; i++) {
            boxed[i] = vector[i];
        }
        jdbc.sql("""
                        insert into llm_cache_entries (id, user_id, model, system_hash, question, embedding_model, embedding,
                                                       answer_model, answer, input_tokens, output_tokens, cost_usd, expires_at,
                                                       document_ids)
                        values (:id, :userId, :model, :systemHash, :question, :embeddingModel, :embedding, :answerModel,
                                :answer, :inputTokens, :outputTokens, :costUsd, :expiresAt, :documentIds)
                        """)
                .param("id", Uuid7.next())
                .param("userId", userId)
                .param("model", model.name())
                .param("systemHash", systemHash(request))
                .param("question", question)
                .param("embeddingModel", embedding.model())
                .param("embedding", boxed)
                .param("answerModel", answer.model())
                .param("answer", answer.text())
                .param("inputTokens", answer.inputTokens())
                .param("outputTokens", answer.outputTokens())
                .param("costUsd", answer.costUsd())
                .param(
                        "expiresAt",
                        Instant.now().plus(ttl == null ? settings.ttl() : ttl).atOffset(ZoneOffset.UTC))
                .param(
                        "documentIds",
                        request.sources().stream()
                                .map(DocumentSource::documentId)
                                .distinct()
                                .toArray(UUID[]::new))
                .update();
    }

    /**
     * Drops the entries whose answer used a changed document (exact entries key on the document's
     * version, so a changed document never matches them again).
     */
    @org.springframework.context.event.EventListener
    void forgetDocument(DocumentChanged changed) {
        var documentId = changed.documentId();
        jdbc.sql("delete from llm_cache_entries where document_ids @> array[:documentId]::uuid[]")
                .param("documentId", documentId)
                .update();
    }

    public Embedding embed(String question) {
        return embeddings.embed(question);
    }

    @Scheduled(fixedDelayString = "PT15M", initialDelayString = "PT5M")
    void purgeExpired() {
        jdbc.sql("delete from llm_cache_entries where expires_at <= now()").update();
    }

    /**
     * The scope a question is compared within: the instructions before it and every other parameter
     * of the call, which must match exactly.
     */
    private static byte[] systemHash(ChatRequest request) {
        var system = new StringBuilder();
        request.messages().stream()
                .filter(m -> m instanceof LlmMessage.Instruction)
                .forEach(m ->
                        system.append(m.role()).append(':').append(m.text()).append('\0'));
        system.append(AnswerCache.canonicalOptions(request));
        try {
            return MessageDigest.getInstance("SHA-256").digest(system.toString().getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static float[] vector(Array array) throws SQLException {
        var values = (Object[]) array.getArray();
        var vector = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            vector[i] = ((Number) values[i]).floatValue();
        }
        return vector;
    }
}
