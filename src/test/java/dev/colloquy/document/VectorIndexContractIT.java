package dev.colloquy.document;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.colloquy.Api;
import dev.colloquy.Replica;
import dev.colloquy.TestDatabase;
import dev.colloquy.platform.Uuid7;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/**
 * One contract, both vector indexes ({@code colloquy.documents.vector-index} {@code memory} and
 * {@code pgvector}), each on a replica over a database of its own: the same documents, questions and
 * owners give the same first passages; an owner whose chunks are a sliver of the table still finds
 * theirs, and one with more chunks than {@link PgVectorIndex#EXACT_BELOW} (searched through HNSW by
 * pgvector) gets the exact nearest ones back; chunks stored before the index was there are found;
 * a deleted document leaves no vector behind; a document embedded again is found under its new model.
 *
 * <p>The pgvector half needs the extension on the test's PostgreSQL ({@code
 * ../shared/vendor/install-pgvector}, which {@code .ci/run} runs); an embedded PostgreSQL has none,
 * so there it is skipped with that reason, except under {@code CI=true}, where it fails.
 */
class VectorIndexContractIT {

    private static final int BIG_OWNER_CHUNKS = PgVectorIndex.EXACT_BELOW + 2_000;
    private static final int DIMENSIONS = 384;

    private String database;

    @BeforeEach
    void createDatabase() {
        database = TestDatabase.get().createScratch("colloquy_vectors");
    }

    @AfterEach
    void dropDatabase() {
        TestDatabase.get().dropScratch(database);
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "pgvector"})
    void bothIndexesKeepTheSameContract(String kind) throws Exception {
        if (kind.equals("pgvector") && !"true".equals(System.getenv("CI"))) {
            assumeThat(pgvectorAvailable())
                    .as("the test's PostgreSQL has no pgvector (run ../shared/vendor/install-pgvector)")
                    .isTrue();
        }
        // a big owner's chunks, stored before the replica starts: pgvector copies them over
        var big = insertBigOwner();
        try (var replica = Replica.start(Map.of(
                "spring.datasource.url",
                database,
                "colloquy.documents.vector-index",
                kind,
                "colloquy.documents.reembed-check-interval",
                "1s"))) {
            var index = replica.bean(SelectedVectorIndex.class);
            index.catchUp();
            assertThat(index.usingPgvector()).isEqualTo(kind.equals("pgvector"));
            var api = replica.api();
            var owner = api.register();
            var other = api.register();
            var handbook = upload(api, owner, "handbook.md", DocumentIT.resource("handbook.md"));
            var astronomy = upload(api, owner, "astronomy.txt", DocumentIT.resource("astronomy.txt"));
            var chinese = upload(api, owner, "ln.md", """
                    # ln

                    ln 命令用来为文件创建链接。使用 -s 选项可以创建一个符号链接，而不是硬链接。
                    """.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            var notes = upload(api, other, "release-notes.html", DocumentIT.resource("release-notes.html"));

            // the same questions find the same documents first
            assertThat(first(api, owner, "How long are backups kept?")).isEqualTo(handbook);
            assertThat(first(api, owner, "meteor shower in October")).isEqualTo(astronomy);
            assertThat(first(api, owner, "怎样建立一个软链接？")).isEqualTo(chinese);
            assertThat(first(api, other, "which metric shows replication lag")).isEqualTo(notes);
            // a small owner among twelve thousand chunks of someone else finds only their own
            assertThat(documents(api, other, "How long are backups kept?")).containsOnly(notes);

            // the big owner: the exact nearest chunks, through HNSW with pgvector
            var store = replica.bean(SelectedVectorIndex.class);
            var random = new Random(7);
            int recalled = 0;
            int asked = 10;
            for (int q = 0; q < asked; q++) {
                var query =
                        big.vectors().get(random.nextInt(big.vectors().size())).clone();
                for (int i = 0; i < query.length; i++) {
                    query[i] += (float) (random.nextGaussian() * 0.02);
                }
                normalize(query);
                var exact = exactNearest(big, query, 10);
                var found =
                        store
                                .nearest(big.owner(), new dev.colloquy.llm.embedding.Embedding("synthetic", query), 10)
                                .stream()
                                .map(ScoredChunk::chunkId)
                                .toList();
                assertThat(found).hasSize(10);
                assertThat(found.getFirst()).isEqualTo(exact.getFirst());
                var common = new HashSet<>(found);
                common.retainAll(exact);
                recalled += common.size();
            }
            assertThat(recalled / (10.0 * asked))
                    .as("recall@10 against an exact scan")
                    .isGreaterThanOrEqualTo(0.9);
            if (kind.equals("pgvector")) {
                assertThat(hnswScans())
                        .as("the big owner was searched through the HNSW index")
                        .isPositive();
            }

            // a deleted document leaves no vector behind
            assertThat(api.delete("/api/documents/" + astronomy, owner.token()).status())
                    .isEqualTo(204);
            assertThat(documents(api, owner, "meteor shower in October")).doesNotContain(astronomy);
            // embedded again (as after a model change): found, and one vector per chunk
            try (var connection = connect()) {
                connection
                        .createStatement()
                        .executeUpdate("update documents set embedding_model = 'an-older-model' where id = '" + handbook
                                + "'");
            }
            awaitModel(api, owner, handbook, DocumentEmbeddings.LOCAL);
            index.catchUp();
            assertThat(first(api, owner, "How long are backups kept?")).isEqualTo(handbook);
            if (kind.equals("pgvector")) {
                try (var connection = connect();
                        var rows = connection.createStatement().executeQuery("""
                                        select (select count(*) from document_chunks),
                                               (select count(*) from document_vectors),
                                               (select count(*) from document_vectors v
                                                 where not exists (select 1 from document_chunks c where c.id = v.chunk_id))""")) {
                    rows.next();
                    assertThat(rows.getLong(2)).as("one vector per chunk").isEqualTo(rows.getLong(1));
                    assertThat(rows.getLong(3)).as("no orphan").isZero();
                }
            }
        }
    }

    private record BigOwner(UUID owner, List<UUID> ids, List<float[]> vectors) {}

    /** An owner with more chunks than pgvector searches exactly, of random unit vectors, written directly. */
    private BigOwner insertBigOwner() throws SQLException {
        var owner = Uuid7.next();
        var document = Uuid7.next();
        var random = new Random(42);
        var ids = new ArrayList<UUID>();
        var vectors = new ArrayList<float[]>();
        try (var connection = connect()) {
            // the schema is the service's: let a first replica migrate the scratch database
            try (var replica = Replica.start(
                    Map.of("spring.datasource.url", database, "colloquy.documents.vector-index", "memory"))) {
                assertThat(replica.bean(SelectedVectorIndex.class).usingPgvector())
                        .isFalse();
            }
            connection.setAutoCommit(false);
            try (var user = connection.prepareStatement(
                    "insert into users (id, email, display_name, password_hash) values (?, ?, 'big', 'x')")) {
                user.setObject(1, owner);
                user.setString(2, "big-" + owner + "@colloquy.test");
                user.executeUpdate();
            }
            try (var insert = connection.prepareStatement("""
                    insert into documents (id, user_id, filename, content_type, size_bytes, sha256, status, chunk_count,
                                           embedding_model, version, created_at, updated_at)
                    values (?, ?, 'synthetic.txt', 'text/plain', 1, '\\x00', 'ready', ?, ?, 1, now(), now())""")) {
                insert.setObject(1, document);
                insert.setObject(2, owner);
                insert.setInt(3, BIG_OWNER_CHUNKS);
                insert.setString(4, DocumentEmbeddings.LOCAL);
                insert.executeUpdate();
            }
            try (var insert = connection.prepareStatement("""
                    insert into document_chunks (id, document_id, user_id, position, content, token_count,
                                                 embedding_model, embedding, embedding_scale)
                    values (?, ?, ?, ?, ?, 1, 'synthetic', ?, ?)""")) {
                // clustered, as the chunks of real documents are: 300 topics, each chunk near one
                var topics = new float[300][DIMENSIONS];
                for (var topic : topics) {
                    for (int d = 0; d < DIMENSIONS; d++) {
                        topic[d] = (float) random.nextGaussian();
                    }
                    normalize(topic);
                }
                for (int i = 0; i < BIG_OWNER_CHUNKS; i++) {
                    var topic = topics[random.nextInt(topics.length)];
                    var vector = new float[DIMENSIONS];
                    for (int d = 0; d < DIMENSIONS; d++) {
                        vector[d] = topic[d] + (float) (random.nextGaussian() * 0.04);
                    }
                    normalize(vector);
                    var id = Uuid7.next();
                    ids.add(id);
                    vectors.add(vector);
                    insert.setObject(1, id);
                    insert.setObject(2, document);
                    insert.setObject(3, owner);
                    insert.setInt(4, i);
                    insert.setString(5, "chunk " + i);
                    insert.setBytes(6, Int8Vectors.quantize(vector));
                    insert.setFloat(7, Int8Vectors.scale(vector));
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            connection.commit();
        }
        return new BigOwner(owner, ids, vectors);
    }

    /** The ten nearest by the stored (int8) vectors, as both indexes see them. */
    private static List<UUID> exactNearest(BigOwner big, float[] query, int k) {
        return IntStream.range(0, big.ids().size())
                .boxed()
                .sorted(Comparator.comparingDouble(
                        i -> -cosine(query, big.vectors().get(i))))
                .limit(k)
                .map(big.ids()::get)
                .toList();
    }

    private static double cosine(float[] query, float[] vector) {
        var stored = Int8Vectors.quantize(vector);
        float scale = Int8Vectors.scale(vector);
        double dot = 0;
        double norm = 0;
        for (int i = 0; i < query.length; i++) {
            double value = stored[i] / scale;
            dot += query[i] * value;
            norm += value * value;
        }
        return dot / Math.sqrt(norm);
    }

    private static void normalize(float[] vector) {
        double norm = 0;
        for (float value : vector) {
            norm += value * value;
        }
        for (int i = 0; i < vector.length; i++) {
            vector[i] /= (float) Math.sqrt(norm);
        }
    }

    /** Scans of the 384-dimension HNSW index so far (statistics reach other sessions within a second or so). */
    private long hnswScans() throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (true) {
            try (var connection = connect();
                    var rows = connection.createStatement().executeQuery("""
                                    select coalesce(sum(idx_scan), 0) from pg_stat_user_indexes
                                     where indexrelname = 'document_vectors_hnsw_384'""")) {
                rows.next();
                long scans = rows.getLong(1);
                if (scans > 0 || System.nanoTime() > deadline) {
                    return scans;
                }
            }
            Thread.sleep(200);
        }
    }

    private boolean pgvectorAvailable() throws SQLException {
        try (var connection = connect();
                var rows = connection
                        .createStatement()
                        .executeQuery("select exists (select 1 from pg_available_extensions where name = 'vector')")) {
            rows.next();
            return rows.getBoolean(1);
        }
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(database, TestDatabase.get().user(), "");
    }

    private static String upload(Api api, Api.Account account, String filename, byte[] content)
            throws InterruptedException {
        var response = api.upload("/api/documents", account.token(), filename, content);
        assertThat(response.status()).as(response.body()).isEqualTo(202);
        var id = response.json().get("id").asString();
        awaitModel(api, account, id, DocumentEmbeddings.LOCAL);
        return id;
    }

    /** Waits (60 s at most) until the document is ready and embedded by this model. */
    private static void awaitModel(Api api, Api.Account account, String id, String model) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            var document = api.get("/api/documents/" + id, account.token()).json();
            if (document.get("status").asString().equals("ready")
                    && model.equals(document.get("embeddingModel").asString())) {
                return;
            }
            assertThat(System.nanoTime()).as(document.toString()).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private static String first(Api api, Api.Account account, String question) {
        var documents = documents(api, account, question);
        assertThat(documents).as(question).isNotEmpty();
        return documents.getFirst();
    }

    private static List<String> documents(Api api, Api.Account account, String question) {
        var response =
                api.post("/api/documents/search", account.token(), "{\"query\":\"%s\",\"k\":5}".formatted(question));
        assertThat(response.status()).isEqualTo(200);
        var ids = new ArrayList<String>();
        for (JsonNode item : response.json().get("items")) {
            ids.add(item.get("documentId").asString());
        }
        return ids;
    }
}
