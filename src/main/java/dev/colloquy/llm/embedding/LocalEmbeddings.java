package dev.colloquy.llm.embedding;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.AbstractInProcessEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.OnnxBertBiEncoder;
import dev.langchain4j.model.embedding.onnx.PoolingMode;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * In-process sentence embeddings with the quantized all-MiniLM-L6-v2 (384 dimensions, unit length),
 * loaded on first use from the jar; nothing is downloaded.
 *
 * <p>The model runs on platform threads of its own, never on the caller's: a virtual thread in native
 * code pins its carrier, and two documents being embedded at once pinned both carriers of a 2-core
 * machine, stalling every request for a third of a second (BENCHMARKS.md, "Reliability load"). One
 * pool, as wide as the machine, embeds questions for requests; another, half as wide, embeds
 * documents, so ingestion never takes every core. Each inference runs on one thread: ONNX Runtime's
 * own pool is switched off (one intra-op thread, no spinning); its default, a pool as wide as the
 * machine whose idle threads spin between inferences, took a fifth of both cores under that load.
 */
@Component
public class LocalEmbeddings implements DisposableBean {

    /** Stored beside every vector, so a model change re-embeds rather than mixing vectors. */
    public static final String MODEL = "all-minilm-l6-v2-q";

    private static final String MODEL_FILE = "/all-minilm-l6-v2-q.onnx";
    private static final String TOKENIZER_FILE = "/all-minilm-l6-v2-q-tokenizer.json";

    private static final int CORES = Runtime.getRuntime().availableProcessors();

    private final ExecutorService questions = Executors.newFixedThreadPool(
            CORES, Thread.ofPlatform().name("embedding-", 0).daemon().factory());
    private final ExecutorService documents = Executors.newFixedThreadPool(
            Math.max(1, CORES / 2),
            Thread.ofPlatform().name("embedding-documents-", 0).daemon().factory());
    private volatile MiniLm model;

    /** One text, for a request (a question to search with or to cache by), as a unit vector. */
    public float[] embed(String text) {
        return on(questions, () -> unit(model().embed(text).content().vector()));
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

    /** The texts of a document, one after the other on a document thread, each as a unit vector. */
    public List<float[]> embedAll(List<String> texts) {
        var segments = texts.stream().map(TextSegment::from).toList();
        return on(
                documents,
                () -> model().embedAll(segments).content().stream()
                        .map(embedding -> unit(embedding.vector()))
                        .toList());
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

    private MiniLm model() {
        var loaded = model;
        if (loaded == null) {
            synchronized (this) {
                if (model == null) {
                    model = new MiniLm(load());
                }
                loaded = model;
            }
        }
        return loaded;
    }

    private static OnnxBertBiEncoder load() {
        var environment = OrtEnvironment.getEnvironment();
        try (var modelFile = resource(MODEL_FILE);
                var tokenizer = resource(TOKENIZER_FILE);
                var options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            options.addConfigEntry("session.intra_op.allow_spinning", "0");
            options.addConfigEntry("session.inter_op.allow_spinning", "0");
            var session = environment.createSession(modelFile.readAllBytes(), options);
            return new OnnxBertBiEncoder(environment, session, tokenizer, PoolingMode.MEAN);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the embedding model " + MODEL + " from the jar", e);
        } catch (OrtException e) {
            throw new IllegalStateException("cannot load the embedding model " + MODEL, e);
        }
    }

    private static InputStream resource(String name) throws IOException {
        var stream = AllMiniLmL6V2QuantizedEmbeddingModel.class.getResourceAsStream(name);
        if (stream == null) {
            throw new IOException(name + " is not on the class path");
        }
        return stream;
    }

    /** The model on our encoder; texts of one batch run in turn on the caller's thread. */
    private static final class MiniLm extends AbstractInProcessEmbeddingModel {

        private final OnnxBertBiEncoder encoder;

        MiniLm(OnnxBertBiEncoder encoder) {
            super(Runnable::run);
            this.encoder = encoder;
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
