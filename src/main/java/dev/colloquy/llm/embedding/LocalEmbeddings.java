package dev.colloquy.llm.embedding;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.langchain4j.model.embedding.onnx.AbstractInProcessEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.OnnxBertBiEncoder;
import dev.langchain4j.model.embedding.onnx.PoolingMode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * In-process sentence embeddings (unit length; 384 dimensions from MiniLM, 512 from bge-small-zh) from two quantized models shipped in
 * the jar, each loaded on first use; nothing is downloaded. Each text goes to the model of its script:
 * Chinese and Japanese text (Han and kana the larger part of its letters, {@link #CHINESE_SHARE}) to
 * bge-small-zh-v1.5, every other text to all-MiniLM-L6-v2, which was trained on English and placed
 * Chinese questions on opposite subjects at the same point. The two models' vectors are not
 * comparable: every vector is stored with the name of the model that made it, and a question is
 * compared only with vectors of its own model (BENCHMARKS.md, "Retrieval in Chinese and English").
 *
 * <p>The models run on platform threads of their own, never on the caller's: a virtual thread in
 * native code pins its carrier, and two documents being embedded at once pinned both carriers of a
 * 2-core machine, stalling every request for a third of a second (BENCHMARKS.md, "Reliability load").
 * One pool, as wide as the machine, embeds questions for requests; another, half as wide, embeds
 * documents, so ingestion never takes every core. Each inference runs on one thread: ONNX Runtime's
 * own pool is switched off (one intra-op thread, no spinning); its default, a pool as wide as the
 * machine whose idle threads spin between inferences, took a fifth of both cores under that load.
 */
@Component
public class LocalEmbeddings implements DisposableBean {

    /** The model of text in every script but Chinese and Japanese. */
    public static final String ENGLISH = "all-minilm-l6-v2-q";

    /** The model of Chinese and Japanese text. */
    public static final String CHINESE = "bge-small-zh-v15-q";

    /**
     * The two together, as documents record what embedded them: a document embedded before texts were
     * routed by script (by {@link #ENGLISH} alone) is embedded again.
     */
    public static final String MODEL = ENGLISH + "+" + CHINESE;

    /** Han and kana letters at least this share of a text's letters send it to {@link #CHINESE}. */
    static final double CHINESE_SHARE = 0.25;

    private static final int CORES = Runtime.getRuntime().availableProcessors();

    private final ExecutorService questions = Executors.newFixedThreadPool(
            CORES, Thread.ofPlatform().name("embedding-", 0).daemon().factory());
    private final ExecutorService documents = Executors.newFixedThreadPool(
            Math.max(1, CORES / 2),
            Thread.ofPlatform().name("embedding-documents-", 0).daemon().factory());
    private final Model english =
            new Model(ENGLISH, "/all-minilm-l6-v2-q.onnx", "/all-minilm-l6-v2-q-tokenizer.json", PoolingMode.MEAN, 384);
    private final Model chinese = new Model(
            CHINESE, "/bge-small-zh-v1.5-q.onnx", "/bge-small-zh-v1.5-q-tokenizer.json", PoolingMode.CLS, 512);

    /** One text, for a request (a question to search with or to cache by), by the model of its script. */
    public Embedding embed(String text) {
        var model = modelFor(text);
        return on(
                questions,
                () -> new Embedding(
                        model.name, unit(model.encoder().embed(text).content().vector())));
    }

    /** The model a text goes to: its name, as stored beside its vector. */
    public static String modelOf(String text) {
        return chinese(text) ? CHINESE : ENGLISH;
    }

    private Model modelFor(String text) {
        return chinese(text) ? chinese : english;
    }

    /** Whether Han and kana make up at least {@link #CHINESE_SHARE} of the text's letters. */
    static boolean chinese(String text) {
        int cjk = 0;
        int letters = 0;
        for (int i = 0; i < text.length(); ) {
            int codePoint = text.codePointAt(i);
            i += Character.charCount(codePoint);
            if (!Character.isLetter(codePoint)) {
                continue;
            }
            letters++;
            if (codePoint >= 0x2E80) {
                var script = Character.UnicodeScript.of(codePoint);
                if (script == Character.UnicodeScript.HAN
                        || script == Character.UnicodeScript.HIRAGANA
                        || script == Character.UnicodeScript.KATAKANA) {
                    cjk++;
                }
            }
        }
        return cjk > 0 && cjk >= CHINESE_SHARE * letters;
    }

    private static float[] unit(float[] vector) {
        double norm = 0;
        for (float value : vector) {
            norm += value * value;
        }
        float scale = norm == 0 ? 0 : (float) (1 / Math.sqrt(norm));
        for (int i = 0; i < vector.length; i++) {
            vector[i] *= scale;
        }
        return vector;
    }

    /** The texts of a document, one after the other on a document thread, each by its script's model. */
    public List<Embedding> embedAll(List<String> texts) {
        return on(documents, () -> {
            var embedded = new ArrayList<Embedding>(texts.size());
            for (var text : texts) {
                var model = modelFor(text);
                embedded.add(new Embedding(
                        model.name, unit(model.encoder().embed(text).content().vector())));
            }
            return embedded;
        });
    }

    private static <T> T on(ExecutorService pool, Callable<T> work) {
        var future = pool.submit(work);
        try {
            return future.get();
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while embedding", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            throw new IllegalStateException("embedding failed", e.getCause());
        }
    }

    @Override
    public void destroy() {
        questions.shutdownNow();
        documents.shutdownNow();
    }

    /** Cosine similarity of two unit vectors. */
    public static double similarity(float[] a, float[] b) {
        double dot = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
        }
        return dot;
    }

    /** One shipped model, loaded from the jar on first use. */
    private static final class Model {

        private final String name;
        private final String file;
        private final String tokenizer;
        private final PoolingMode pooling;
        private final int dimension;
        private volatile @Nullable Encoder encoder;

        Model(String name, String file, String tokenizer, PoolingMode pooling, int dimension) {
            this.name = name;
            this.file = file;
            this.tokenizer = tokenizer;
            this.pooling = pooling;
            this.dimension = dimension;
        }

        Encoder encoder() {
            var loaded = encoder;
            if (loaded == null) {
                synchronized (this) {
                    if (encoder == null) {
                        encoder = new Encoder(load(), dimension);
                    }
                    loaded = encoder;
                }
            }
            return loaded;
        }

        private OnnxBertBiEncoder load() {
            var environment = OrtEnvironment.getEnvironment();
            try (var modelFile = resource(file);
                    var tokens = resource(tokenizer);
                    var options = new OrtSession.SessionOptions()) {
                options.setIntraOpNumThreads(1);
                options.setInterOpNumThreads(1);
                options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
                options.addConfigEntry("session.intra_op.allow_spinning", "0");
                options.addConfigEntry("session.inter_op.allow_spinning", "0");
                var session = environment.createSession(modelFile.readAllBytes(), options);
                return new OnnxBertBiEncoder(environment, session, tokens, pooling);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the embedding model " + name + " from the jar", e);
            } catch (OrtException e) {
                throw new IllegalStateException("cannot load the embedding model " + name, e);
            }
        }
    }

    private static InputStream resource(String name) throws IOException {
        var stream = LocalEmbeddings.class.getResourceAsStream(name);
        if (stream == null) {
            throw new IOException(name + " is not on the class path");
        }
        return stream;
    }

    /** A model on our encoder; texts of one batch run in turn on the caller's thread. */
    private static final class Encoder extends AbstractInProcessEmbeddingModel {

        private final OnnxBertBiEncoder encoder;
        private final int dimension;

        Encoder(OnnxBertBiEncoder encoder, int dimension) {
            super(Runnable::run);
            this.encoder = encoder;
            this.dimension = dimension;
        }

        @Override
        protected OnnxBertBiEncoder model() {
            return encoder;
        }

        @Override
        protected Integer knownDimension() {
            return dimension;
        }
    }
}
