package dev.colloquy.document;

import com.zaxxer.hikari.HikariDataSource;
import dev.colloquy.llm.embedding.Embedding;
import dev.colloquy.platform.Uuid7;
import dev.colloquy.platform.WordIndexes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.unit.DataSize;

/**
 * The two vector indexes side by side (issue 21), as the service uses them (the same classes), over
 * one scratch database: an owner with N chunks of clustered 384-dimension vectors (N = the first
 * argument), beside a small owner of 1,000. For each index: the time to make it searchable (memory:
 * the first search loads the owner's vectors; pgvector: copying the stored vectors into the table,
 * building the HNSW index), the memory a replica holds, p50/p99 of 200 searches (k 50, as document
 * search asks), recall@10 against an exact scan of the same int8 vectors, and a cold replica's first
 * answer. Prints Markdown tables.
 *
 * <p>Usage: VectorBench chunks jdbc-url
 */
public final class VectorBench {

    private static final int DIMENSIONS = 384;
    private static final String MODEL = "all-minilm-l6-v2-q";
    private static final int SEARCHES = 200;

    public static void main(String[] args) throws Exception {
        int chunks = Integer.parseInt(args[0]);
        var url = args[1];
        // PostgreSQL's maintenance_work_mem for the HNSW build: the service's default unless given
        var buildMemory = DataSize.parse(args.length > 2 ? args[2] : "512MB");
        try (var dataSource = new HikariDataSource()) {
            dataSource.setJdbcUrl(url);
            dataSource.setUsername("postgres");
            dataSource.setMaximumPoolSize(4);
            Flyway.configure()
                    .dataSource(dataSource)
                    .locations("classpath:db/migration")
                    .javaMigrations(new WordIndexes())
                    // as the service: a session lock, or migration 17's concurrent index waits forever
                    .configuration(Map.of("flyway.postgresql.transactional.lock", "false"))
                    .load()
                    .migrate();
            var jdbc = JdbcClient.create(dataSource);
            var template = new JdbcTemplate(dataSource);
            var transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
            var random = new Random(42);
            var topics = new float[Math.max(50, chunks / 40)][];
            for (int t = 0; t < topics.length; t++) {
                topics[t] = unit(gaussian(random, 1.0));
            }
            long started = System.nanoTime();
            var big = insert(jdbc, template, chunks, topics, random);
            var small = insert(jdbc, template, 1_000, topics, random);
            double insertSeconds = (System.nanoTime() - started) / 1e9;
            var queries = new ArrayList<float[]>();
            for (int q = 0; q < SEARCHES; q++) {
                var near = big.vectors().get(random.nextInt(big.vectors().size()));
                var query = near.clone();
                var noise = gaussian(random, 0.03);
                for (int i = 0; i < DIMENSIONS; i++) {
                    query[i] += noise[i];
                }
                queries.add(unit(query));
            }
            System.out.printf(
                    "%,d chunks of one owner and 1,000 of another written to PostgreSQL in %.1f s (%,.0f chunks/s)%n%n",
                    chunks + 1_000, insertSeconds, (chunks + 1_000) / insertSeconds);
            System.out.println(
                    "| index | chunks of the owner | made searchable in s | replica memory MB | PostgreSQL MB |"
                            + " first search ms | p50 ms | p99 ms | recall@10 | small owner p50 ms |");
            System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");

            // memory: each replica loads the owner's vectors on first search
            var properties = new DocumentProperties(
                    DataSize.ofMegabytes(20),
                    2000,
                    5_000_000,
                    Duration.ofSeconds(60),
                    200,
                    40,
                    2,
                    Duration.ofMinutes(2),
                    3,
                    Duration.ofSeconds(5),
                    Duration.ofMinutes(10),
                    0.3,
                    1200,
                    5,
                    DataSize.ofGigabytes(2),
                    null,
                    DocumentProperties.VectorIndexKind.MEMORY,
                    buildMemory);
            var memory = new ScanVectorIndex(jdbc, properties);
            long before = usedHeap();
            started = System.nanoTime();
            memory.nearest(big.owner(), new Embedding(MODEL, queries.getFirst()), 50);
            double firstMs = (System.nanoTime() - started) / 1e6;
            long held = usedHeap() - before;
            report("memory (scan)", chunks, firstMs / 1000, held / 1e6, 0, firstMs, memory, big, small, queries);

            // pgvector: the stored vectors copied over, the HNSW index built, then searched
            var pg = PgVectorIndex.open(jdbc, template, transactions, buildMemory);
            started = System.nanoTime();
            UUID after = null;
            while (true) {
                var step = pg.backfill(after);
                if (!step.more()) {
                    break;
                }
                after = step.next();
            }
            double copySeconds = (System.nanoTime() - started) / 1e9;
            long building = System.nanoTime();
            pg.buildIndexes();
            pg.analyze();
            double buildSeconds = (System.nanoTime() - building) / 1e9;
            double pgMegabytes = jdbc.sql("select pg_total_relation_size('document_vectors')")
                            .query(Long.class)
                            .single()
                    / 1e6;
            // a cold replica: a new index object, its first search
            var cold = PgVectorIndex.open(jdbc, template, transactions, buildMemory);
            started = System.nanoTime();
            cold.nearest(big.owner(), new Embedding(MODEL, queries.getFirst()), 50);
            firstMs = (System.nanoTime() - started) / 1e6;
            report(
                    "pgvector (HNSW)",
                    chunks,
                    copySeconds + buildSeconds,
                    0,
                    pgMegabytes,
                    firstMs,
                    pg,
                    big,
                    small,
                    queries);
            System.out.printf(
                    "%npgvector: copying %,d stored vectors took %.1f s (%,.0f/s), building the HNSW index %.1f s.%n",
                    chunks + 1_000, copySeconds, (chunks + 1_000) / copySeconds, buildSeconds);
        }
    }

    private record Owner(UUID owner, List<UUID> ids, List<float[]> vectors) {}

    private static void report(
            String name,
            int chunks,
            double searchableSeconds,
            double replicaMegabytes,
            double postgresMegabytes,
            double firstMs,
            VectorIndex index,
            Owner big,
            Owner small,
            List<float[]> queries) {
        for (int i = 0; i < 20; i++) {
            index.nearest(big.owner(), new Embedding(MODEL, queries.get(i)), 50);
        }
        var millis = new double[queries.size()];
        int recalled = 0;
        for (int q = 0; q < queries.size(); q++) {
            long started = System.nanoTime();
            var found = index.nearest(big.owner(), new Embedding(MODEL, queries.get(q)), 50);
            millis[q] = (System.nanoTime() - started) / 1e6;
            if (q < 50) {
                var top = new HashSet<UUID>();
                found.stream().limit(10).forEach(hit -> top.add(hit.chunkId()));
                top.retainAll(exact(big, queries.get(q), 10));
                recalled += top.size();
            }
        }
        var smallMillis = new double[50];
        for (int q = 0; q < smallMillis.length; q++) {
            long started = System.nanoTime();
            index.nearest(small.owner(), new Embedding(MODEL, queries.get(q)), 50);
            smallMillis[q] = (System.nanoTime() - started) / 1e6;
        }
        Arrays.sort(millis);
        Arrays.sort(smallMillis);
        System.out.printf(
                "| %s | %,d | %.1f | %.0f | %.0f | %.1f | %.2f | %.2f | %.3f | %.2f |%n",
                name,
                chunks,
                searchableSeconds,
                replicaMegabytes,
                postgresMegabytes,
                firstMs,
                millis[millis.length / 2],
                millis[(int) Math.ceil(millis.length * 0.99) - 1],
                recalled / 500.0,
                smallMillis[smallMillis.length / 2]);
    }

    /** The k nearest by the stored int8 vectors, every distance computed. */
    private static List<UUID> exact(Owner owner, float[] query, int k) {
        var scores = new double[owner.ids().size()];
        var order = new Integer[scores.length];
        for (int i = 0; i < scores.length; i++) {
            var vector = owner.vectors().get(i);
            var stored = Int8Vectors.quantize(vector);
            float scale = Int8Vectors.scale(vector);
            double dot = 0;
            double norm = 0;
            for (int d = 0; d < DIMENSIONS; d++) {
                double value = stored[d] / scale;
                dot += query[d] * value;
                norm += value * value;
            }
            scores[i] = dot / Math.sqrt(norm);
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(scores[b], scores[a]));
        var ids = new ArrayList<UUID>(k);
        for (int i = 0; i < k; i++) {
            ids.add(owner.ids().get(order[i]));
        }
        return ids;
    }

    private static Owner insert(JdbcClient jdbc, JdbcTemplate template, int count, float[][] topics, Random random) {
        var owner = Uuid7.next();
        var document = Uuid7.next();
        jdbc.sql("insert into users (id, email, display_name, password_hash) values (:id, :email, 'bench', 'x')")
                .param("id", owner)
                .param("email", "bench-" + owner + "@colloquy.test")
                .update();
        jdbc.sql("""
                        insert into documents (id, user_id, filename, content_type, size_bytes, sha256, status, chunk_count,
                                               embedding_model, version, created_at, updated_at)
                        values (:id, :owner, 'synthetic.txt', 'text/plain', 1, '\\x00', 'ready', :count, 'bench', 1, now(), now())""")
                .param("id", document)
                .param("owner", owner)
                .param("count", count)
                .update();
        var ids = new ArrayList<UUID>(count);
        var vectors = new ArrayList<float[]>(count);
        var rows = new ArrayList<Object[]>(1_000);
        for (int i = 0; i < count; i++) {
            var topic = topics[random.nextInt(topics.length)];
            var noise = gaussian(random, 0.04);
            var vector = new float[DIMENSIONS];
            for (int d = 0; d < DIMENSIONS; d++) {
                vector[d] = topic[d] + noise[d];
            }
            unit(vector);
            var id = Uuid7.next();
            ids.add(id);
            vectors.add(vector);
            rows.add(new Object[] {
                id, document, owner, i, "chunk " + i, MODEL, Int8Vectors.quantize(vector), Int8Vectors.scale(vector)
            });
            if (rows.size() == 1_000 || i == count - 1) {
                template.batchUpdate("""
                        insert into document_chunks (id, document_id, user_id, position, content, token_count,
                                                     embedding_model, embedding, embedding_scale)
                        values (?, ?, ?, ?, ?, 1, ?, ?, ?)""", rows);
                rows.clear();
            }
        }
        return new Owner(owner, ids, vectors);
    }

    private static float[] gaussian(Random random, double sigma) {
        var vector = new float[DIMENSIONS];
        for (int i = 0; i < DIMENSIONS; i++) {
            vector[i] = (float) (random.nextGaussian() * sigma);
        }
        return vector;
    }

    private static float[] unit(float[] vector) {
        double norm = 0;
        for (float value : vector) {
            norm += value * value;
        }
        for (int i = 0; i < vector.length; i++) {
            vector[i] /= (float) Math.sqrt(norm);
        }
        return vector;
    }

    private static long usedHeap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        var runtime = Runtime.getRuntime();
        return runtime.totalMemory() - runtime.freeMemory();
    }
}
