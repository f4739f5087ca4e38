package dev.colloquy.document;

import dev.colloquy.platform.Words;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionTemplate;

/** The {@code document_chunks} table: chunk text, its place, its vector, and its full-text index. */
@Repository
class DocumentChunks {

    /** A chunk with its vector, as written. */
    record NewChunk(UUID id, Chunker.Chunk chunk, String embeddingModel, byte[] embedding, float scale) {}

    /** A chunk as search and chat read it, with its document's name and version. */
    record StoredChunk(
            UUID id,
            UUID documentId,
            String filename,
            int documentVersion,
            int position,
            String headingPath,
            @Nullable Integer page,
            String content,
            String embeddingModel,
            byte[] embedding,
            float embeddingScale) {}

    private final JdbcClient jdbc;
    private final JdbcTemplate template;
    private final TransactionTemplate transactions;
    private final SelectedVectorIndex vectors;

    DocumentChunks(
            JdbcClient jdbc, JdbcTemplate template, TransactionTemplate transactions, SelectedVectorIndex vectors) {
        this.jdbc = jdbc;
        this.template = template;
        this.transactions = transactions;
        this.vectors = vectors;
    }

    /** Replaces the document's chunks with these (one batch), and their vectors in pgvector when it is used. */
    void replace(UUID documentId, UUID userId, List<NewChunk> chunks) {
        jdbc.sql("delete from document_chunks where document_id = :id")
                .param("id", documentId)
                .update();
        var rows = new ArrayList<Object[]>(chunks.size());
        for (var c : chunks) {
            rows.add(new Object[] {
                c.id(),
                documentId,
                userId,
                c.chunk().position(),
                c.chunk().headingPath(),
                c.chunk().page(),
                c.chunk().content(),
                c.chunk().tokens(),
                c.embeddingModel(),
                c.embedding(),
                c.scale(),
                Words.forIndex(c.chunk().headingPath() + " " + c.chunk().content())
            });
        }
        template.batchUpdate("""
                insert into document_chunks (id, document_id, user_id, position, heading_path, page, content,
                                             token_count, embedding_model, embedding, embedding_scale, words)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, to_tsvector('english', cast(? as text)))""", rows);
        vectors.added(userId, chunks);
    }

    /** The document's chunks in order, for re-embedding. */
    List<Chunker.Chunk> ofDocument(UUID documentId) {
        return jdbc.sql("""
                        select position, heading_path, page, content, token_count from document_chunks
                         where document_id = :id order by position
                        """)
                .param("id", documentId)
                .query((rs, row) -> new Chunker.Chunk(
                        rs.getInt("position"),
                        rs.getString("heading_path"),
                        rs.getObject("page", Integer.class),
                        rs.getString("content"),
                        rs.getInt("token_count")))
                .list();
    }

    boolean anyReady(UUID userId) {
        return jdbc.sql("select exists (select 1 from documents where user_id = :userId and status = 'ready')")
                .param("userId", userId)
                .query(Boolean.class)
                .single();
    }

    /**
     * The caller's chunks that match the words, best first by {@code ts_rank_cd}: chunks with every
     * word, from the whole collection (a selective query on the GIN index, at most {@code candidates}
     * of them ranked); then, when they are fewer than the limit, chunks with any of the words among
     * {@code nearby} (the vector search's candidates). Ranking any-word matches across a large
     * collection would read most of it: common words match most chunks. Only ready documents have
     * chunks (they are written with the status, in one transaction), so no join is needed; one let
     * the planner read every chunk of the user to filter it.
     */
    List<ScoredChunk> textSearch(UUID userId, List<String> words, int limit, int candidates, Collection<UUID> nearby) {
        // A plan made for the words at hand: a generic plan of a prepared statement cannot tell how
        // few chunks five words all match, and may prefer reading every chunk of the user to using
        // the GIN index (bench/run-documents, 10,000 chunks: search p50 93 ms before, 60 ms after).
        var all = transactions.execute(status -> {
            jdbc.sql("set local plan_cache_mode = force_custom_plan").update();
            return jdbc.sql("""
                        select m.id, ts_rank_cd(coalesce(m.words, m.search), q) as rank
                          from (select c.id, c.search, c.words
                                  from document_chunks c
                                 where c.user_id = :userId
                                   and (c.search @@ websearch_to_tsquery('english', :query)
                                        or c.words @@ websearch_to_tsquery('english', :query))
                                 limit :candidates) m
                         cross join websearch_to_tsquery('english', :query) q
                         order by rank desc, m.id
                         limit :limit
                        """)
                    .param("userId", userId)
                    .param("query", String.join(" ", words))
                    .param("limit", limit)
                    .param("candidates", candidates)
                    .query((rs, row) -> new ScoredChunk(rs.getObject("id", UUID.class), rs.getDouble("rank")))
                    .list();
        });
        if (all.size() >= limit || words.size() < 2 || nearby.isEmpty()) {
            return all;
        }
        var any = jdbc.sql("""
                        select c.id, ts_rank_cd(coalesce(c.words, c.search), q) as rank
                          from document_chunks c
                         cross join websearch_to_tsquery('english', :query) q
                         where c.id = any(:ids) and c.user_id = :userId and (c.search @@ q or c.words @@ q)
                         order by rank desc, c.id
                         limit :limit
                        """)
                .param("userId", userId)
                .param("query", String.join(" or ", words))
                .param("ids", nearby.toArray(UUID[]::new))
                .param("limit", limit)
                .query((rs, row) -> new ScoredChunk(rs.getObject("id", UUID.class), rs.getDouble("rank")))
                .list();
        var merged = new java.util.LinkedHashMap<UUID, ScoredChunk>();
        // chunks with every word keep their lead; the rest follow by rank
        all.forEach(hit -> merged.put(hit.chunkId(), hit));
        any.forEach(hit -> merged.putIfAbsent(hit.chunkId(), hit));
        return merged.values().stream().limit(limit).toList();
    }

    /** These chunks of the caller's ready documents, in no particular order. */
    List<StoredChunk> load(UUID userId, Collection<UUID> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return jdbc.sql("""
                        select c.id, c.document_id, d.filename, d.version, c.position, c.heading_path, c.page,
                               c.content, c.embedding_model, c.embedding, c.embedding_scale
                          from document_chunks c join documents d on d.id = c.document_id
                         where c.id = any(:ids) and c.user_id = :userId and d.status = 'ready'
                        """)
                .param("ids", ids.toArray(UUID[]::new))
                .param("userId", userId)
                .query((rs, row) -> new StoredChunk(
                        rs.getObject("id", UUID.class),
                        rs.getObject("document_id", UUID.class),
                        rs.getString("filename"),
                        rs.getInt("version"),
                        rs.getInt("position"),
                        rs.getString("heading_path"),
                        rs.getObject("page", Integer.class),
                        rs.getString("content"),
                        rs.getString("embedding_model"),
                        rs.getBytes("embedding"),
                        rs.getFloat("embedding_scale")))
                .list();
    }
}
