package dev.colloquy.llm;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * In-process sentence embeddings with the quantized all-MiniLM-L6-v2 (384 dimensions, unit length),
 * loaded on first use from the jar; nothing is downloaded.
 */
@Component
public class LocalEmbeddings {

    /** Stored beside every vector, so a model change re-embeds rather than mixing vectors. */
    public static final String MODEL = "all-minilm-l6-v2-q";

    private volatile AllMiniLmL6V2QuantizedEmbeddingModel model;

    public float[] embed(String text) {
        return unit(model().embed(text).content().vector());
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

    /** Several texts at once (the model spreads them over the cores), each as a unit vector. */
    public List<float[]> embedAll(List<String> texts) {
        var segments = texts.stream().map(TextSegment::from).toList();
        return model().embedAll(segments).content().stream()
                .map(embedding -> unit(embedding.vector()))
                .toList();
    }

    /** Cosine similarity of two unit vectors. */
    public static double similarity(float[] a, float[] b) {
        double dot = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
        }
        return dot;
    }

    private AllMiniLmL6V2QuantizedEmbeddingModel model() {
        var loaded = model;
        if (loaded == null) {
            synchronized (this) {
                if (model == null) {
                    model = new AllMiniLmL6V2QuantizedEmbeddingModel();
                }
                loaded = model;
            }
        }
        return loaded;
    }
}
