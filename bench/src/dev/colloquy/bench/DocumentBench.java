package dev.colloquy.bench;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Documents against a running Colloquy (loopback only): retrieval quality on the labelled set in
 * bench/retrieval (recall@1, recall@5, MRR), ingestion throughput of a generated PDF, and search
 * latency over 10,000 and 100,000 chunks of one user (synthetic chunks written straight to PostgreSQL:
 * random int8 vectors, and 120 words per chunk drawn from 20,000 made-up words with Zipf's law, as
 * words are in natural text). Prints Markdown tables.
 *
 * <p>Usage: DocumentBench base-url jdbc-url questions.tsv corpus-dir...
 */
public final class DocumentBench {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final String base;
    private final String jdbcUrl;

    private DocumentBench(String base, String jdbcUrl) {
        this.base = base;
        this.jdbcUrl = jdbcUrl;
    }

    public static void main(String[] args) throws Exception {
        var bench = new DocumentBench(args[0], args[1]);
        var corpus = java.util.Arrays.stream(args, 3, args.length).map(Path::of).toList();
        bench.quality(corpus, Path.of(args[2]));
        bench.ingestion();
        bench.latency();
    }

    private void quality(List<Path> corpus, Path questions) throws Exception {
        var token = register("quality");
        var ids = new ArrayList<String>();
        for (var dir : corpus) {
            try (var files = Files.list(dir)) {
                for (var file : files.filter(Files::isRegularFile).sorted().toList()) {
                    ids.add(upload(token, file.getFileName().toString(), Files.readAllBytes(file)));
                }
            }
        }
        for (var id : ids) {
            awaitReady(token, id);
        }
        int total = 0;
        int atOne = 0;
        int atFive = 0;
        double reciprocal = 0;
        var misses = new ArrayList<String>();
        for (var line : Files.readAllLines(questions)) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            var fields = line.split("\t");
            total++;
            var items = search(token, fields[0], 5);
            int rank = 0;
            for (int i = 0; i < items.size(); i++) {
                var item = items.get(i);
                if (item.get("filename").asString().equals(fields[1])
                        && item.get("content").asString().contains(fields[2])) {
                    rank = i + 1;
                    break;
                }
            }
            if (rank == 1) {
                atOne++;
            }
            if (rank > 0) {
                atFive++;
                reciprocal += 1.0 / rank;
            } else {
                misses.add(fields[0]);
            }
        }
        System.out.println("| labelled retrieval set (bench/retrieval) | value |");
        System.out.println("|---|---:|");
        System.out.printf("| documents / questions | %d / %d |%n", ids.size(), total);
        System.out.printf("| recall@1 | %.3f |%n", (double) atOne / total);
        System.out.printf("| recall@5 | %.3f |%n", (double) atFive / total);
        System.out.printf("| MRR (within the top 5) | %.3f |%n", reciprocal / total);
        System.out.println();
        if (!misses.isEmpty()) {
            System.out.println("Not in the top 5: " + String.join("; ", misses));
            System.out.println();
        }
    }

    private void ingestion() throws Exception {
        var token = register("ingestion");
        int pages = 100;
        var pdf = pdf(pages);
        long started = System.nanoTime();
        var id = upload(token, "generated.pdf", pdf);
        var document = awaitReady(token, id);
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.println("| ingestion of a generated " + pages + "-page PDF (" + pdf.length / 1024
                + " KB), upload to ready | value |");
        System.out.println("|---|---:|");
        System.out.printf("| seconds | %.2f |%n", seconds);
        System.out.printf("| pages/s | %.1f |%n", pages / seconds);
        System.out.printf(
                "| chunks / chunks per s | %d / %.1f |%n",
                document.get("chunkCount").asInt(), document.get("chunkCount").asInt() / seconds);
        System.out.println();
    }

    private void latency() throws Exception {
        System.out.println("| chunks of one user | first search (loads the index) ms | p50 ms | p99 ms | searches |");
        System.out.println("|---:|---:|---:|---:|---:|");
        for (int chunks : new int[] {10_000, 100_000}) {
            var user = register("latency-" + chunks);
            var userId = UUID.fromString(get("/api/me", user).get("id").asString());
            insertSynthetic(userId, chunks);
            var random = new Random(chunks + 1);
            long first = System.nanoTime();
            search(user, query(random), 5);
            double firstMs = (System.nanoTime() - first) / 1e6;
            int runs = chunks > 10_000 ? 50 : 200;
            var times = new double[runs];
            for (int i = 0; i < runs; i++) {
                long t = System.nanoTime();
                search(user, query(random), 5);
                times[i] = (System.nanoTime() - t) / 1e6;
            }
            Arrays.sort(times);
            System.out.printf(
                    "| %,d | %.1f | %.2f | %.2f | %d |%n",
                    chunks, firstMs, times[runs / 2], times[(int) Math.ceil(runs * 0.99) - 1], runs);
        }
        System.out.println();
    }

    private static final String[] WORDS = ("account backup billing cache cluster config database deploy disk "
                    + "error failover index invoice latency memory metric network node outage partition payment "
                    + "plan query quota region replica restore schema secret server session shard snapshot storage "
                    + "support ticket timeout token upgrade user volume window alpine garden coffee comet galaxy "
                    + "meteor planet telescope water grind roast photo privacy policy refund renewal certificate")
            .split(" ");

    private static final String[] VOCABULARY = vocabulary(20_000);
    private static final double[] ZIPF = zipf(VOCABULARY.length, 1.07);

    /** Made-up words of two to four syllables, each distinct. */
    private static String[] vocabulary(int size) {
        var syllables = "ba be bi bo bu da de di do du ka ke ki ko ku la le li lo lu ma me mi mo mu na ne ni no nu "
                + "pa pe pi po pu ra re ri ro ru sa se si so su ta te ti to tu va ve vi vo vu za ze zi zo zu";
        var parts = syllables.split(" ");
        var random = new Random(1);
        var words = new java.util.LinkedHashSet<String>();
        while (words.size() < size) {
            var word = new StringBuilder();
            for (int s = 2 + random.nextInt(3); s > 0; s--) {
                word.append(parts[random.nextInt(parts.length)]);
            }
            words.add(word.toString());
        }
        return words.toArray(String[]::new);
    }

    /** Cumulative probabilities of ranks 1..n under Zipf's law with exponent s. */
    private static double[] zipf(int n, double s) {
        var cumulative = new double[n];
        double sum = 0;
        for (int rank = 1; rank <= n; rank++) {
            sum += 1 / Math.pow(rank, s);
            cumulative[rank - 1] = sum;
        }
        for (int i = 0; i < n; i++) {
            cumulative[i] /= sum;
        }
        return cumulative;
    }

    private static String word(Random random) {
        int at = Arrays.binarySearch(ZIPF, random.nextDouble());
        return VOCABULARY[Math.min(VOCABULARY.length - 1, at < 0 ? -at - 1 : at)];
    }

    /**
     * A question of five content words: drawn like the text's words, but below the 100 most frequent
     * ranks, which stand for the function words ("the", "of") that PostgreSQL's english configuration
     * drops from real text and questions.
     */
    private static String query(Random random) {
        var query = new StringBuilder();
        while (query.length() == 0 || query.toString().split(" ").length < 5) {
            int at = Arrays.binarySearch(ZIPF, random.nextDouble());
            int rank = Math.min(VOCABULARY.length - 1, at < 0 ? -at - 1 : at);
            if (rank >= 100) {
                query.append(query.length() == 0 ? "" : " ").append(VOCABULARY[rank]);
            }
        }
        return query.toString();
    }

    private void insertSynthetic(UUID userId, int count) throws Exception {
        var random = new Random(count);
        try (var connection = DriverManager.getConnection(jdbcUrl, "postgres", "")) {
            connection.setAutoCommit(false);
            var documentId = UUID.randomUUID();
            try (var doc = connection.prepareStatement("""
                    insert into documents (id, user_id, filename, content_type, size_bytes, sha256, status, chunk_count,
                                           embedding_model, version, created_at, updated_at)
                    values (?, ?, 'synthetic.txt', 'text/plain', 0, ?, 'ready', ?, 'all-minilm-l6-v2-q', 1, now(), now())
                    """)) {
                doc.setObject(1, documentId);
                doc.setObject(2, userId);
                doc.setBytes(3, documentId.toString().getBytes(StandardCharsets.UTF_8));
                doc.setInt(4, count);
                doc.executeUpdate();
            }
            try (var chunk = connection.prepareStatement("""
                    insert into document_chunks (id, document_id, user_id, position, heading_path, content, token_count,
                                                 embedding_model, embedding, embedding_scale)
                    values (?, ?, ?, ?, '', ?, 150, 'all-minilm-l6-v2-q', ?, 127)
                    """)) {
                for (int i = 0; i < count; i++) {
                    var text = new StringBuilder();
                    for (int w = 0; w < 120; w++) {
                        text.append(word(random)).append(' ');
                    }
                    var vector = new byte[384];
                    random.nextBytes(vector);
                    chunk.setObject(1, UUID.randomUUID());
                    chunk.setObject(2, documentId);
                    chunk.setObject(3, userId);
                    chunk.setInt(4, i);
                    chunk.setString(5, text.toString());
                    chunk.setBytes(6, vector);
                    chunk.addBatch();
                    if (i % 1000 == 999) {
                        chunk.executeBatch();
                    }
                }
                chunk.executeBatch();
            }
            connection.commit();
            // what autovacuum does within a minute of a bulk load: without statistics the planner
            // reads every chunk of the user to filter the full-text match (1 s at 100,000 chunks)
            try (var analyze = connection.createStatement()) {
                analyze.execute("analyze document_chunks");
            }
            connection.commit();
        }
    }

    private static byte[] pdf(int pages) throws Exception {
        var random = new Random(42);
        try (var doc = new PDDocument()) {
            var font = new PDType1Font(Standard14Fonts.FontName.HELVETICA);
            for (int p = 0; p < pages; p++) {
                var page = new PDPage();
                doc.addPage(page);
                try (var content = new PDPageContentStream(doc, page)) {
                    content.beginText();
                    content.setFont(font, 10);
                    content.setLeading(13);
                    content.newLineAtOffset(50, 740);
                    for (int line = 0; line < 50; line++) {
                        var text = new StringBuilder();
                        for (int w = 0; w < 12; w++) {
                            text.append(WORDS[random.nextInt(WORDS.length)]).append(' ');
                        }
                        content.showText(text.toString().strip() + (line % 6 == 5 ? "." : ""));
                        content.newLine();
                        if (line % 6 == 5) {
                            content.newLine();
                        }
                    }
                    content.endText();
                }
            }
            var out = new ByteArrayOutputStream();
            doc.save(out);
            return out.toByteArray();
        }
    }

    private String register(String name) throws Exception {
        var body =
                "{\"email\":\"" + name + "@bench.test\",\"password\":\"benchmark password\",\"displayName\":\"Bench\"}";
        return send(HttpRequest.newBuilder(URI.create(base + "/api/auth/register"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)))
                .get("token")
                .asString();
    }

    private String upload(String token, String filename, byte[] content) throws Exception {
        var boundary = "bench-" + UUID.randomUUID();
        var out = new ByteArrayOutputStream();
        out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + filename
                        + "\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8));
        out.writeBytes(content);
        out.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return send(HttpRequest.newBuilder(URI.create(base + "/api/documents"))
                        .header("Authorization", "Bearer " + token)
                        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(out.toByteArray())))
                .get("id")
                .asString();
    }

    private JsonNode awaitReady(String token, String id) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (true) {
            var document = get("/api/documents/" + id, token);
            var status = document.get("status").asString();
            if (status.equals("ready")) {
                return document;
            }
            if (status.equals("failed") || System.nanoTime() > deadline) {
                throw new IllegalStateException("document " + id + " did not get ready: " + document);
            }
            Thread.sleep(50);
        }
    }

    private List<JsonNode> search(String token, String query, int k) throws Exception {
        var body = JSON.writeValueAsString(java.util.Map.of("query", query, "k", k));
        var items = send(HttpRequest.newBuilder(URI.create(base + "/api/documents/search"))
                        .header("Authorization", "Bearer " + token)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)))
                .get("items");
        var list = new ArrayList<JsonNode>();
        items.forEach(list::add);
        return list;
    }

    private JsonNode get(String path, String token) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + token));
    }

    private static JsonNode send(HttpRequest.Builder request) throws Exception {
        var response = HTTP.send(request.timeout(Duration.ofMinutes(2)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 300) {
            throw new IllegalStateException(response.statusCode() + " " + response.body());
        }
        return JSON.readTree(response.body());
    }
}
