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
        var manpages = System.getProperty("manpages");
        if (manpages != null) {
            bench.languages(Path.of(manpages), Path.of(System.getProperty("manpages.questions")));
        }
        if (Boolean.getBoolean("manpages.only")) {
            return;
        }
        var corpus = java.util.Arrays.stream(args, 3, args.length).map(Path::of).toList();
        bench.quality(corpus, Path.of(args[2]));
        bench.ingestion();
        bench.latency();
    }

    /**
     * The manual pages of the same commands in Chinese and in English (rendered to text by the
     * caller, one directory per language holding {@code <command>.txt}), each language for a user of
     * its own, asked the questions of {@code <language>.tsv}: whether the page that answers is the
     * first document of the hybrid search, among the first five, and the mean reciprocal rank within
     * the first five, beside BM25 (k1 1.2, b 0.75) over the whole pages with the same word breaking
     * (ICU, lower-cased, no stemming) as the baseline.
     */
    private void languages(Path rendered, Path questions) throws Exception {
        System.out.println("| manual pages | documents / questions | ranking | hit@1 | hit@5 | MRR@5 |");
        System.out.println("|---|---:|---|---:|---:|---:|");
        var misses = new ArrayList<String>();
        for (var language : List.of("zh", "en")) {
            var token = register("manpages-" + language);
            var pages = new java.util.TreeMap<String, String>();
            try (var files = Files.list(rendered.resolve(language))) {
                for (var file : files.sorted().toList()) {
                    var text = Files.readString(file);
                    if (!text.isBlank()) {
                        pages.put(file.getFileName().toString().replace(".txt", ""), text);
                    }
                }
            }
            var ids = new ArrayList<String>();
            for (var page : pages.entrySet()) {
                ids.add(upload(token, page.getKey() + ".txt", page.getValue().getBytes(StandardCharsets.UTF_8)));
            }
            for (var id : ids) {
                awaitReady(token, id);
            }
            var asked = new ArrayList<String[]>();
            for (var line : Files.readAllLines(questions.resolve(language + ".tsv"))) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    asked.add(line.split("\t"));
                }
            }
            var bm25 = new Bm25(pages);
            var hybrid = new Ranks();
            var baseline = new Ranks();
            for (var question : asked) {
                var documents = new ArrayList<String>();
                for (var item : search(token, question[0], 50)) {
                    var page = item.get("filename").asString().replace(".txt", "");
                    if (!documents.contains(page)) {
                        documents.add(page);
                    }
                }
                int rank = documents.indexOf(question[1]) + 1;
                hybrid.add(rank);
                if (rank != 1) {
                    misses.add(language + ": " + question[0] + " (" + question[1] + ": "
                            + (rank == 0 ? "not found" : "rank " + rank) + ", first: "
                            + (documents.isEmpty() ? "none" : documents.getFirst()) + ")");
                }
                baseline.add(bm25.rank(question[0], question[1]));
            }
            var size = pages.size() + " / " + asked.size();
            System.out.println("| " + language + " | " + size + " | Colloquy (hybrid) | " + hybrid + " |");
            System.out.println("| " + language + " | " + size + " | BM25 | " + baseline + " |");
        }
        System.out.println();
        if (!misses.isEmpty()) {
            System.out.println("Not first in Colloquy's ranking: " + String.join("; ", misses));
            System.out.println();
        }
    }

    /** Ranks of the right answer (0: not found), as hit@1, hit@5 and MRR within the first five. */
    private static final class Ranks {

        private int total;
        private int atOne;
        private int atFive;
        private double reciprocal;

        void add(int rank) {
            total++;
            if (rank == 1) {
                atOne++;
            }
            if (rank >= 1 && rank <= 5) {
                atFive++;
                reciprocal += 1.0 / rank;
            }
        }

        @Override
        public String toString() {
            return String.format(
                    "%.2f | %.2f | %.3f", (double) atOne / total, (double) atFive / total, reciprocal / total);
        }
    }

    /** Okapi BM25 over whole documents, words broken as the service's full-text index breaks them. */
    private static final class Bm25 {

        private final java.util.Map<String, java.util.Map<String, Integer>> counts = new java.util.TreeMap<>();
        private final java.util.Map<String, Integer> lengths = new java.util.HashMap<>();
        private final java.util.Map<String, Integer> documentFrequency = new java.util.HashMap<>();
        private final double averageLength;

        Bm25(java.util.Map<String, String> documents) {
            long words = 0;
            for (var document : documents.entrySet()) {
                var terms = new java.util.HashMap<String, Integer>();
                var all = terms(document.getValue());
                all.forEach(term -> terms.merge(term, 1, Integer::sum));
                terms.keySet().forEach(term -> documentFrequency.merge(term, 1, Integer::sum));
                counts.put(document.getKey(), terms);
                lengths.put(document.getKey(), all.size());
                words += all.size();
            }
            averageLength = (double) words / documents.size();
        }

        int rank(String query, String answer) {
            var terms = new java.util.LinkedHashSet<>(terms(query));
            var scores = new ArrayList<java.util.Map.Entry<String, Double>>();
            int n = counts.size();
            for (var document : counts.entrySet()) {
                double score = 0;
                for (var term : terms) {
                    int tf = document.getValue().getOrDefault(term, 0);
                    if (tf == 0) {
                        continue;
                    }
                    int df = documentFrequency.get(term);
                    double idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
                    double norm = 1.2 * (0.25 + 0.75 * lengths.get(document.getKey()) / averageLength);
                    score += idf * tf * 2.2 / (tf + norm);
                }
                if (score > 0) {
                    scores.add(java.util.Map.entry(document.getKey(), score));
                }
            }
            scores.sort(java.util.Map.Entry.<String, Double>comparingByValue().reversed());
            for (int i = 0; i < scores.size(); i++) {
                if (scores.get(i).getKey().equals(answer)) {
                    return i + 1;
                }
            }
            return 0;
        }

        private static List<String> terms(String text) {
            return dev.colloquy.platform.Words.words(text.toLowerCase(java.util.Locale.ROOT)).stream()
                    .filter(word -> word.codePoints().anyMatch(Character::isLetterOrDigit))
                    .toList();
        }
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
