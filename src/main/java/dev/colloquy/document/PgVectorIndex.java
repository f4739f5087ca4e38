package dev.colloquy.document;

import dev.colloquy.llm.embedding.Embedding;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.unit.DataSize;

/**
 * Vector search in PostgreSQL with pgvector: every chunk's vector in {@code document_vectors}
 * (float, the stored int8 vector expanded), one HNSW index (cosine distance) per vector length, over
 * the whole table, so no replica holds vectors in memory and a new replica answers at once.
 *
 * <p>The index is shared by every user, and a search is one user's: an owner whose chunks are a small
 * part of the table would find few of them among the HNSW graph's nearest neighbours. So an owner
 * with fewer than {@link #EXACT_BELOW} chunks is searched exactly (their rows through the owner
 * index, every distance computed, which is what the in-memory index does too), and a larger one
 * through HNSW with pgvector's iterative scan, which walks on until enough of that owner's rows
 * have been found (pgvector 0.8).
 *
 * <p>The table and its indexes are made here, not by a versioned migration: the extension may be
 * installed on the server after the schema has migrated, and a replica that finds it then sets it
 * up. Rows for chunks written before (or by a replica without pgvector) are copied from the stored
 * vectors by {@link #backfill}; deleting a chunk deletes its row (foreign key, cascade).
 */
final class PgVectorIndex implements VectorIndex {

    /** Owners with fewer chunks than this are searched exactly; larger ones through HNSW. */
    static final int EXACT_BELOW = 10_000;

    /**
     * Nearest vectors fetched beyond those asked for, in case some belong to a document that is not
     * ready (one whose re-embedding failed keeps its old chunks): they are left out after the sort.
     */
    private static final int READY_MARGIN = 20;

    /** HNSW indexes vectors of at most this many dimensions (pgvector's limit for {@code vector}). */
    private static final int MAX_INDEXED_DIMENSIONS = 2_000;

    private static final Logger log = LoggerFactory.getLogger(PgVectorIndex.class);
    private static final long LOCK = 0x7067766563L;
    private static final long BUILD_LOCK = 0x7067766564L;
    private static final int BATCH = 500;

    private final JdbcClient jdbc;
    private final JdbcTemplate template;
    private final TransactionTemplate transactions;
    private final String version;
    private final DataSize buildMemory;
    private final Set<Integer> indexed = ConcurrentHashMap.newKeySet();

    private PgVectorIndex(
            JdbcClient jdbc,
            JdbcTemplate template,
            TransactionTemplate transactions,
            String version,
            DataSize buildMemory) {
        this.jdbc = jdbc;
        this.template = template;
        this.transactions = transactions;
        this.version = version;
        this.buildMemory = buildMemory;
    }

    /** Why pgvector cannot be used here; thrown by {@link #open}. */
    static final class Unavailable extends Exception {
        Unavailable(String reason) {
            super(reason);
        }
    }

    /**
     * Sets pgvector up in this database (the extension when the server has it and the role may
     * create it, the table and the owner index) and returns the index, or says why it cannot.
     *
     * @param buildMemory {@code maintenance_work_mem} of the session that builds an HNSW index
     */
    static PgVectorIndex open(
            JdbcClient jdbc, JdbcTemplate template, TransactionTemplate transactions, DataSize buildMemory)
            throws Unavailable {
        var installed = installedVersion(jdbc);
        if (installed == null) {
            boolean available = jdbc.sql("select exists (select 1 from pg_available_extensions where name = 'vector')")
                    .query(Boolean.class)
                    .single();
            if (!available) {
                throw new Unavailable("the PostgreSQL server has no pgvector extension (an embedded PostgreSQL never"
                        + " has one); install pgvector 0.8 or newer on the server");
            }
            try {
                jdbc.sql("create extension if not exists vector").update();
            } catch (DataAccessException e) {
                throw new Unavailable("the server has pgvector, but this role may not create the extension ("
                        + rootMessage(e) + "); run `create extension vector;` in this database as a superuser");
            }
            installed = installedVersion(jdbc);
            if (installed == null) {
                throw new Unavailable("`create extension vector` did not install it");
            }
        }
        try {
            createTable(jdbc, transactions);
        } catch (DataAccessException e) {
            throw new Unavailable("the table of vectors cannot be created (" + rootMessage(e) + ")");
        }
        return new PgVectorIndex(jdbc, template, transactions, installed, buildMemory);
    }

    private static void createTable(JdbcClient jdbc, TransactionTemplate transactions) {
        transactions.executeWithoutResult(status -> {
            // one replica at a time makes the table; the others wait here and find it made
            jdbc.sql("select pg_advisory_xact_lock(:lock)")
                    .param("lock", LOCK)
                    .query()
                    .listOfRows();
            jdbc.sql("""
                            create table if not exists document_vectors (
                                chunk_id        uuid    primary key references document_chunks (id) on delete cascade,
                                user_id         uuid    not null,
                                embedding_model text    not null,
                                embedding       vector  not null
                            )""").update();
            jdbc.sql("""
                            create index if not exists document_vectors_owner_idx
                                on document_vectors (user_id, embedding_model)""").update();
        });
    }

    private static @Nullable String installedVersion(JdbcClient jdbc) {
        return jdbc.sql("select extversion from pg_extension where extname = 'vector'")
                .query(String.class)
                .optional()
                .orElse(null);
    }

    private static String rootMessage(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause instanceof SQLException sql ? sql.getMessage() : e.getMessage();
    }

    /** The extension's version, for the start-up message. */
    String version() {
        return version;
    }

    @Override
    public List<ScoredChunk> nearest(UUID userId, Embedding query, int limit) {
        int dimensions = query.vector().length;
        long owned = jdbc.sql(
                        "select coalesce(sum(chunk_count), 0) from documents where user_id = :userId and status = 'ready'")
                .param("userId", userId)
                .query(Long.class)
                .single();
        if (owned == 0) {
            return List.of();
        }
        var literal = literal(query.vector());
        if (owned < EXACT_BELOW || dimensions > MAX_INDEXED_DIMENSIONS) {
            // every one of the owner's vectors of this model, through the owner index
            return ranked(
                    NEAREST.formatted("v.embedding <=> cast(:query as vector)", ""), literal, userId, query, limit);
        }
        // through the HNSW index of this length: the expression and the condition are the index's own
        var found = transactions.execute(status -> {
            jdbc.sql(
                            "select set_config('hnsw.ef_search', :ef, true), set_config('hnsw.iterative_scan', 'strict_order', true)")
                    .param("ef", Long.toString(Math.clamp(limit * 2L, 40, 1_000)))
                    .query()
                    .listOfRows();
            var distance = "cast(v.embedding as vector(%1$d)) <=> cast(:query as vector(%1$d))".formatted(dimensions);
            return ranked(
                    NEAREST.formatted(distance, " and vector_dims(v.embedding) = " + dimensions),
                    literal,
                    userId,
                    query,
                    limit);
        });
        return found == null ? List.of() : found;
    }

    /**
     * The owner's nearest vectors of the query's model by a distance expression, then checked against
     * their documents (a join before the sort would read every chunk row): %1$s the distance, %2$s
     * further conditions.
     */
    private static final String NEAREST = """
            select nn.chunk_id, 1 - nn.distance as similarity
              from (select v.chunk_id, %1$s as distance
                      from document_vectors v
                     where v.user_id = :userId and v.embedding_model = :model%2$s
                     order by %1$s
                     limit :candidates) nn
              join document_chunks c on c.id = nn.chunk_id
              join documents d on d.id = c.document_id and d.status = 'ready'
             order by nn.distance
             limit :limit""";

    private List<ScoredChunk> ranked(String sql, String literal, UUID userId, Embedding query, int limit) {
        return jdbc.sql(sql)
                .param("candidates", limit + READY_MARGIN)
                .param("query", literal)
                .param("userId", userId)
                .param("model", query.model())
                .param("limit", limit)
                .query((rs, row) -> new ScoredChunk(rs.getObject("chunk_id", UUID.class), rs.getDouble("similarity")))
                .list();
    }

    /** Writes the vectors of chunks just stored, in the caller's transaction. */
    void added(UUID userId, List<DocumentChunks.NewChunk> chunks) {
        var rows = new ArrayList<Object[]>(chunks.size());
        for (var chunk : chunks) {
            rows.add(new Object[] {chunk.id(), userId, chunk.embeddingModel(), literal(chunk.embedding(), chunk.scale())
            });
        }
        template.batchUpdate("""
                insert into document_vectors (chunk_id, user_id, embedding_model, embedding)
                values (?, ?, ?, cast(? as vector)) on conflict (chunk_id) do nothing""", rows);
    }

    /**
     * Copies the vectors of up to {@value #BATCH} chunks after {@code after} (in id order) that have
     * none yet (written before pgvector was set up, or by a replica without it), one replica at a
     * time. Returns where the next batch starts: after the last chunk looked at, from {@code after}
     * again when another replica holds the work; no more when the table has been gone through.
     */
    Step backfill(@Nullable UUID after) {
        var step = transactions.execute(status -> {
            boolean locked = jdbc.sql("select pg_try_advisory_xact_lock(:lock)")
                    .param("lock", LOCK)
                    .query(Boolean.class)
                    .single();
            if (!locked) {
                return new Step(after, true, 0); // another replica is at it: later, from here
            }
            var rows = new ArrayList<Object[]>();
            var last = new UUID[1];
            jdbc.sql("""
                            select c.id, c.user_id, c.embedding_model, c.embedding, c.embedding_scale,
                                   exists (select 1 from document_vectors v where v.chunk_id = c.id) as copied
                              from document_chunks c
                             where cast(:after as uuid) is null or c.id > :after
                             order by c.id
                             limit :limit""").param("after", after).param("limit", BATCH).query(rs -> {
                last[0] = rs.getObject("id", UUID.class);
                if (rs.getBoolean("copied")) {
                    return;
                }
                rows.add(new Object[] {
                    rs.getObject("id", UUID.class),
                    rs.getObject("user_id", UUID.class),
                    rs.getString("embedding_model"),
                    literal(rs.getBytes("embedding"), rs.getFloat("embedding_scale"))
                });
            });
            if (!rows.isEmpty()) {
                // a chunk deleted since it was read is skipped, not an error
                template.batchUpdate(
                        """
                        insert into document_vectors (chunk_id, user_id, embedding_model, embedding)
                        select ?, ?, ?, cast(? as vector)
                         where exists (select 1 from document_chunks where id = ?)
                        on conflict (chunk_id) do nothing""",
                        rows.stream()
                                .map(r -> new Object[] {r[0], r[1], r[2], r[3], r[0]})
                                .toList());
                log.info("Copied the vectors of {} older chunk(s) into pgvector", rows.size());
            }
            return new Step(last[0], last[0] != null, rows.size());
        });
        return step == null ? new Step(after, true, 0) : step;
    }

    /** Where the next batch of {@link #backfill} starts, and whether there is one. */
    record Step(@Nullable UUID next, boolean more, int copied) {}

    /**
     * Builds the HNSW index of every vector length in the table that has none, concurrently (writes
     * go on); outside any transaction. An index a crashed build left invalid is built again. True
     * when one was built.
     */
    boolean buildIndexes() {
        var lengths = jdbc.sql("select distinct vector_dims(embedding) from document_vectors")
                .query(Integer.class)
                .list();
        boolean built = false;
        for (int dimensions : lengths) {
            if (dimensions <= MAX_INDEXED_DIMENSIONS && !indexed.contains(dimensions)) {
                // one connection for the lock and the build: a session lock, as the build cannot run
                // in a transaction; whoever holds it builds, the others then find the index made
                template.execute((ConnectionCallback<Void>) connection -> {
                    try (var statement = connection.createStatement()) {
                        statement.execute("select pg_advisory_lock(" + BUILD_LOCK + ")");
                        try {
                            build(statement, dimensions);
                        } finally {
                            statement.execute("select pg_advisory_unlock(" + BUILD_LOCK + ")");
                        }
                    }
                    return null;
                });
                indexed.add(dimensions);
                built = true;
            }
        }
        return built;
    }

    /**
     * Fresh statistics of the table: without them, after a backfill the planner takes the owner index
     * and sorts, never the HNSW one (autovacuum would get there, later).
     */
    void analyze() {
        jdbc.sql("analyze document_vectors").update();
    }

    private void build(Statement statement, int dimensions) throws SQLException {
        var name = "document_vectors_hnsw_" + dimensions;
        // under the lock, an invalid index is what a build that died left behind
        try (var invalid = statement.executeQuery("""
                select exists (select 1 from pg_index i join pg_class c on c.oid = i.indexrelid
                                where c.relname = '%s' and not i.indisvalid)""".formatted(name))) {
            invalid.next();
            if (invalid.getBoolean(1)) {
                statement.execute("drop index concurrently if exists " + name);
            }
        }
        long started = System.nanoTime();
        // the graph is built in memory while it fits, else on disk, many times slower; for this session only
        statement.execute("set maintenance_work_mem = '" + buildMemory.toMegabytes() + "MB'");
        try {
            statement.execute("""
                    create index concurrently if not exists %1$s on document_vectors
                     using hnsw ((cast(embedding as vector(%2$d))) vector_cosine_ops)
                     where vector_dims(embedding) = %2$d""".formatted(name, dimensions));
        } finally {
            statement.execute("reset maintenance_work_mem");
        }
        log.info("pgvector: HNSW index {} ready ({} ms)", name, (System.nanoTime() - started) / 1_000_000);
    }

    /** A unit vector as pgvector reads it: {@code [0.1,-0.2,...]}. */
    static String literal(float[] vector) {
        var text = new StringBuilder(vector.length * 11 + 2).append('[');
        for (int i = 0; i < vector.length; i++) {
            if (i > 0) {
                text.append(',');
            }
            text.append(vector[i]);
        }
        return text.append(']').toString();
    }

    /** A stored int8 vector expanded: component i is {@code bytes[i] / scale}. */
    static String literal(byte[] bytes, float scale) {
        var vector = new float[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            vector[i] = bytes[i] / scale;
        }
        return literal(vector);
    }
}
