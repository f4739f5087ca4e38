package dev.colloquy.bench;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.langchain4j.model.embedding.onnx.AbstractInProcessEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.OnnxBertBiEncoder;
import dev.langchain4j.model.embedding.onnx.PoolingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The two shipped embedding models side by side, the vector half alone, on the manual pages that
 * bench/run-documents uses (rendered by the caller to {@code <dir>/<language>/<command>.txt}): each
 * page cut into pieces of about 200 characters (Chinese) or 800 (English), about 200 tokens either
 * way, a page ranked by its piece most similar to the question. Also the milliseconds per embedding
 * and the resident memory a model adds when it loads. Prints Markdown tables.
 *
 * <p>Usage: EmbeddingBench rendered-dir questions-dir
 */
public final class EmbeddingBench {

    private record Model(String name, String file, String tokenizer, PoolingMode pooling) {}

    private static final List<Model> MODELS = List.of(
            new Model(
                    "all-minilm-l6-v2-q",
                    "all-minilm-l6-v2-q.onnx",
                    "all-minilm-l6-v2-q-tokenizer.json",
                    PoolingMode.MEAN),
            new Model(
                    "bge-small-zh-v15-q",
                    "bge-small-zh-v1.5-q.onnx",
                    "bge-small-zh-v1.5-q-tokenizer.json",
                    PoolingMode.CLS));

    public static void main(String[] args) throws Exception {
        var rendered = Path.of(args[0]);
        var questions = Path.of(args[1]);
        var encoders = new LinkedHashMap<String, Encoder>();
        System.out.println(
                "| model | loads in ms | resident memory it adds, MB | ms per question | ms per ~200-token piece (its language) |");
        System.out.println("|---|---:|---:|---:|---:|");
        for (var model : MODELS) {
            long before = residentMegabytes();
            long started = System.nanoTime();
            var encoder = new Encoder(load(model));
            encoder.vector("warm up");
            double loadMs = (System.nanoTime() - started) / 1e6;
            long added = residentMegabytes() - before;
            encoders.put(model.name(), encoder);
            // a piece of a page in the model's own language
            var piece = model.pooling() == PoolingMode.CLS
                    ? Files.readString(rendered.resolve("zh/ln.txt")).substring(300, 500)
                    : Files.readString(rendered.resolve("en/ln.txt")).substring(0, 800);
            var question = model.pooling() == PoolingMode.CLS ? "如何创建一个符号链接？" : "How do I create a symbolic link?";
            System.out.printf(
                    "| %s | %.0f | %d | %.1f | %.1f |%n",
                    model.name(), loadMs, added, millisPer(encoder, question), millisPer(encoder, piece));
        }
        System.out.println();
        System.out.println("| pages | questions | model (vector half alone) | hit@1 | hit@5 | MRR@5 |");
        System.out.println("|---|---:|---|---:|---:|---:|");
        for (var language : List.of("zh", "en")) {
            var pieces = new LinkedHashMap<String, List<String>>();
            try (var files = Files.list(rendered.resolve(language))) {
                for (var file : files.sorted().toList()) {
                    var text = Files.readString(file);
                    if (!text.isBlank()) {
                        pieces.put(
                                file.getFileName().toString().replace(".txt", ""),
                                pieces(text, language.equals("zh") ? 200 : 800));
                    }
                }
            }
            var asked = Files.readAllLines(questions.resolve(language + ".tsv")).stream()
                    .filter(line -> !line.isBlank() && !line.startsWith("#"))
                    .map(line -> line.split("\t"))
                    .toList();
            for (var model : encoders.entrySet()) {
                var vectors = new LinkedHashMap<String, List<float[]>>();
                for (var page : pieces.entrySet()) {
                    var list = new ArrayList<float[]>();
                    for (var piece : page.getValue()) {
                        list.add(model.getValue().vector(piece));
                    }
                    vectors.put(page.getKey(), list);
                }
                int atOne = 0;
                int atFive = 0;
                double reciprocal = 0;
                for (var question : asked) {
                    var q = model.getValue().vector(question[0]);
                    var scores = new ArrayList<Map.Entry<String, Double>>();
                    for (var page : vectors.entrySet()) {
                        double best = -1;
                        for (var vector : page.getValue()) {
                            best = Math.max(best, dot(q, vector));
                        }
                        scores.add(Map.entry(page.getKey(), best));
                    }
                    scores.sort(Map.Entry.<String, Double>comparingByValue().reversed());
                    int rank = 0;
                    for (int i = 0; i < scores.size(); i++) {
                        if (scores.get(i).getKey().equals(question[1])) {
                            rank = i + 1;
                            break;
                        }
                    }
                    atOne += rank == 1 ? 1 : 0;
                    if (rank >= 1 && rank <= 5) {
                        atFive++;
                        reciprocal += 1.0 / rank;
                    }
                }
                System.out.printf(
                        "| %s | %d | %s | %.2f | %.2f | %.3f |%n",
                        language,
                        asked.size(),
                        model.getKey(),
                        (double) atOne / asked.size(),
                        (double) atFive / asked.size(),
                        reciprocal / asked.size());
            }
        }
        System.out.println();
    }

    /** Paragraphs packed into pieces of about {@code chars} characters; longer ones cut. */
    private static List<String> pieces(String text, int chars) {
        var out = new ArrayList<String>();
        var current = new StringBuilder();
        for (var paragraph : text.split("\\n\\s*\\n")) {
            paragraph = paragraph.strip().replaceAll("\\s+", " ");
            if (paragraph.isEmpty()) {
                continue;
            }
            if (current.length() + paragraph.length() > chars && !current.isEmpty()) {
                out.add(current.toString());
                current.setLength(0);
            }
            current.append(current.isEmpty() ? "" : "\n").append(paragraph);
            while (current.length() > chars * 2) {
                out.add(current.substring(0, chars));
                current.delete(0, chars);
            }
        }
        if (!current.isEmpty()) {
            out.add(current.toString());
        }
        return out;
    }

    private static double millisPer(Encoder encoder, String text) {
        for (int i = 0; i < 20; i++) {
            encoder.vector(text);
        }
        int n = 200;
        long started = System.nanoTime();
        for (int i = 0; i < n; i++) {
            encoder.vector(text);
        }
        return (System.nanoTime() - started) / 1e6 / n;
    }

    private static double dot(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }

    private static long residentMegabytes() throws Exception {
        for (var line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS")) {
                return Long.parseLong(line.replaceAll("\\D+", "")) / 1024;
            }
        }
        return -1;
    }

    /** Loaded as the service loads it: one thread per inference, no spinning. */
    private static OnnxBertBiEncoder load(Model model) throws Exception {
        var environment = OrtEnvironment.getEnvironment();
        var loader = EmbeddingBench.class.getClassLoader();
        try (var file = loader.getResourceAsStream(model.file());
                var tokenizer = loader.getResourceAsStream(model.tokenizer());
                var options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            options.addConfigEntry("session.intra_op.allow_spinning", "0");
            return new OnnxBertBiEncoder(
                    environment, environment.createSession(file.readAllBytes(), options), tokenizer, model.pooling());
        }
    }

    private static final class Encoder extends AbstractInProcessEmbeddingModel {

        private final OnnxBertBiEncoder encoder;

        Encoder(OnnxBertBiEncoder encoder) {
            super(Runnable::run);
            this.encoder = encoder;
        }

        float[] vector(String text) {
            var vector = embed(dev.langchain4j.data.segment.TextSegment.from(text))
                    .content()
                    .vector();
            double norm = 0;
            for (float value : vector) {
                norm += value * value;
            }
            for (int i = 0; i < vector.length; i++) {
                vector[i] /= (float) Math.sqrt(norm);
            }
            return vector;
        }

        @Override
        protected OnnxBertBiEncoder model() {
            return encoder;
        }

        @Override
        protected Integer knownDimension() {
            return 384;
        }
    }
}
