package dev.colloquy.document;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.colloquy.llm.embedding.Embedding;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Vector search without a vector extension: each user's chunk vectors (int8) of one model are loaded
 * into one array per user and model and scanned in full, keeping the best in a small heap. The loaded index is kept,
 * bounded in bytes across users, and reloaded when the user's ready documents change (their count or
 * newest update differ), so every replica sees new and deleted documents on its next search. A scan
 * of 100,000 chunks reads 38 MB of bytes; see BENCHMARKS.md for its latency.
 */
@Component
class ScanVectorIndex implements VectorIndex {

    private record Stamp(long documents, long newestUpdate) {}

    private record Key(UUID userId, String model) {}

    private record Loaded(Stamp stamp, long[] ids, byte[] matrix, float[] scales, int dimensions) {

        int weight() {
            return matrix.length + ids.length * 8 + scales.length * 4 + 64;
        }
    }

    private final JdbcClient jdbc;
    private final Cache<Key, Loaded> loaded;

    ScanVectorIndex(JdbcClient jdbc, DocumentProperties properties) {
        this.jdbc = jdbc;
        this.loaded = Caffeine.newBuilder()
                .maximumWeight(properties.vectorCache().toBytes())
                .<Key, Loaded>weigher((key, index) -> index.weight())
                .build();
    }

    @Override
    public List<ScoredChunk> nearest(UUID userId, Embedding embedding, int limit) {
        var query = embedding.vector();
        var index = index(new Key(userId, embedding.model()));
        if (index.ids().length == 0 || index.dimensions() != query.length) {
            return List.of();
        }
        var q = Int8Vectors.quantize(query);
        float queryScale = Int8Vectors.scale(query);
        int n = index.scales().length;
        int d = index.dimensions();
        var heap = new PriorityQueue<double[]>((a, b) -> Double.compare(a[0], b[0]));
        for (int row = 0; row < n; row++) {
            double score = Int8Vectors.dot(q, index.matrix(), row * d) / (queryScale * index.scales()[row]);
            if (heap.size() < limit) {
                heap.add(new double[] {score, row});
            } else if (score > heap.peek()[0]) {
                heap.poll();
                heap.add(new double[] {score, row});
            }
        }
        var best = new ArrayList<ScoredChunk>(heap.size());
        while (!heap.isEmpty()) {
            var top = heap.poll();
            int row = (int) top[1];
            best.addFirst(new ScoredChunk(new UUID(index.ids()[2 * row], index.ids()[2 * row + 1]), top[0]));
        }
        return best;
    }

    /** Drops the user's vectors from this replica's memory (the account is being deleted). */
    void forget(UUID userId) {
        loaded.asMap().keySet().removeIf(key -> key.userId().equals(userId));
    }

    private Loaded index(Key key) {
        var stamp = jdbc.sql("""
                        select count(*) as documents,
                               coalesce((extract(epoch from max(updated_at)) * 1000000)::bigint, 0) as newest
                          from documents where user_id = :userId and status = 'ready'
                        """)
                .param("userId", key.userId())
                .query((rs, row) -> new Stamp(rs.getLong("documents"), rs.getLong("newest")))
                .single();
        var cached = loaded.getIfPresent(key);
        if (cached != null && cached.stamp().equals(stamp)) {
            return cached;
        }
        var fresh = load(key, stamp);
        loaded.put(key, fresh);
        return fresh;
    }

    private Loaded load(Key key, Stamp stamp) {
        var ids = new ArrayList<UUID>();
        var vectors = new ArrayList<byte[]>();
        var scales = new ArrayList<Float>();
        jdbc.sql("""
                        select c.id, c.embedding, c.embedding_scale
                          from document_chunks c join documents d on d.id = c.document_id
                         where c.user_id = :userId and d.status = 'ready' and c.embedding_model = :model
                        """).param("userId", key.userId()).param("model", key.model()).query(rs -> {
            ids.add(rs.getObject("id", UUID.class));
            vectors.add(rs.getBytes("embedding"));
            scales.add(rs.getFloat("embedding_scale"));
        });
        int d = vectors.isEmpty() ? 0 : vectors.getFirst().length;
        var matrix = new byte[vectors.size() * d];
        var idBits = new long[ids.size() * 2];
        var scaleArray = new float[scales.size()];
        for (int row = 0; row < vectors.size(); row++) {
            System.arraycopy(vectors.get(row), 0, matrix, row * d, d);
            idBits[2 * row] = ids.get(row).getMostSignificantBits();
            idBits[2 * row + 1] = ids.get(row).getLeastSignificantBits();
            scaleArray[row] = scales.get(row);
        }
        return new Loaded(stamp, idBits, matrix, scaleArray, d);
    }
}
