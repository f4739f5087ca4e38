package dev.colloquy.document;

import dev.colloquy.llm.DocumentRetriever;
import dev.colloquy.llm.DocumentSource;
import dev.colloquy.llm.Tokens;
import dev.colloquy.llm.embedding.Embedding;
import dev.colloquy.platform.Words;
import dev.colloquy.web.ApiProblem;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * Hybrid search over one user's ready documents: the nearest chunks by vector and the best by
 * PostgreSQL full-text rank (every word anywhere, else any word among the vector candidates), fused
 * by reciprocal rank ({@code 1 / (60 + rank)} summed over both lists), so a passage found by meaning
 * and one found by its exact words both surface.
 */
@Service
public class DocumentSearch implements DocumentRetriever {

    private static final Logger log = LoggerFactory.getLogger(DocumentSearch.class);

    /**
     * One passage found.
     *
     * @param similarity its cosine similarity to the query
     * @param textMatch whether it also matched the query's words
     */
    public record Hit(
            UUID documentId,
            String filename,
            int documentVersion,
            UUID chunkId,
            int position,
            String headingPath,
            @Nullable Integer page,
            String content,
            double score,
            double similarity,
            boolean textMatch) {}

    static final int MAX_K = 50;
    private static final int RRF_K = 60;
    private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}]{2,}");
    private static final int MAX_WORDS = 32;
    /** Full-text matches ranked at most per query (see {@link DocumentChunks#textSearch}). */
    private static final int TEXT_CANDIDATES = 2_000;

    private final VectorIndex vectors;
    private final DocumentChunks chunks;
    private final DocumentEmbeddings embeddings;
    private final DocumentProperties properties;
    private final Timer timer;

    DocumentSearch(
            VectorIndex vectors,
            DocumentChunks chunks,
            DocumentEmbeddings embeddings,
            DocumentProperties properties,
            MeterRegistry registry) {
        this.vectors = vectors;
        this.chunks = chunks;
        this.embeddings = embeddings;
        this.properties = properties;
        this.timer = Timer.builder("documents.search")
                .description("Hybrid search over one user's documents")
                .register(registry);
    }

    /** The {@code k} best passages of the caller's documents for the query, best first. */
    public List<Hit> search(UUID userId, String query, int k) {
        return timer.record(() -> fused(userId, query, Math.clamp(k, 1, MAX_K)));
    }

    /**
     * Passages to put before a model for this question: the best hits close enough in meaning
     * ({@code min-similarity}), within {@code max-sources} and the token budget, numbered for citing.
     */
    @Override
    public List<DocumentSource> sourcesFor(UUID userId, String question, int tokenBudget) {
        if (!chunks.anyReady(userId)) {
            return List.of(); // no embedding of the question for users without documents
        }
        var budget = Math.min(tokenBudget, properties.contextTokens());
        var sources = new ArrayList<DocumentSource>();
        int used = 0;
        for (var hit : search(userId, question, properties.maxSources() * 2)) {
            if (sources.size() == properties.maxSources()) {
                break;
            }
            if (hit.similarity() < properties.minSimilarity()) {
                continue;
            }
            int tokens = Tokens.count(hit.content()) + 16;
            if (used + tokens > budget) {
                continue;
            }
            used += tokens;
            sources.add(new DocumentSource(
                    sources.size() + 1,
                    hit.documentId(),
                    hit.documentVersion(),
                    hit.chunkId(),
                    hit.filename(),
                    hit.headingPath(),
                    hit.page(),
                    hit.content()));
        }
        return sources;
    }

    private List<Hit> fused(UUID userId, String query, int k) {
        int candidates = Math.max(50, k * 4);
        var question = embedQuestion(userId, query);
        var byVector = question == null ? List.<ScoredChunk>of() : vectors.nearest(userId, question, candidates);
        var words = words(query);
        var byText = words.isEmpty()
                ? List.<ScoredChunk>of()
                : chunks.textSearch(
                        userId,
                        words,
                        candidates,
                        TEXT_CANDIDATES,
                        byVector.stream().map(ScoredChunk::chunkId).toList());
        var scores = new HashMap<UUID, Double>();
        var similarity = new HashMap<UUID, Double>();
        for (int rank = 0; rank < byVector.size(); rank++) {
            var hit = byVector.get(rank);
            scores.merge(hit.chunkId(), 1.0 / (RRF_K + rank + 1), Double::sum);
            similarity.put(hit.chunkId(), hit.score());
        }
        var textMatches = new LinkedHashSet<UUID>();
        for (int rank = 0; rank < byText.size(); rank++) {
            var hit = byText.get(rank);
            scores.merge(hit.chunkId(), 1.0 / (RRF_K + rank + 1), Double::sum);
            textMatches.add(hit.chunkId());
        }
        var best = scores.entrySet().stream()
                .sorted(Map.Entry.<UUID, Double>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(k)
                .map(Map.Entry::getKey)
                .toList();
        var queryVector = question == null ? new float[0] : question.vector();
        var quantized = Int8Vectors.quantize(queryVector);
        var loaded = new HashMap<UUID, DocumentChunks.StoredChunk>();
        chunks.load(userId, best).forEach(c -> loaded.put(c.id(), c));
        var hits = new ArrayList<Hit>(best.size());
        for (var id : best) {
            var chunk = loaded.get(id);
            if (chunk == null) {
                continue; // deleted between the two reads
            }
            // a passage found only by its words: its similarity from its stored vector, as the scan does,
            // when the question's model made that vector (else none: a Chinese question and an English
            // passage are in two models' spaces)
            double cosine = similarity.containsKey(id)
                    ? similarity.get(id)
                    : question != null
                                    && chunk.embeddingModel().equals(question.model())
                                    && chunk.embedding().length == quantized.length
                            ? Int8Vectors.dot(quantized, chunk.embedding(), 0)
                                    / (Int8Vectors.scale(queryVector) * chunk.embeddingScale())
                            : 0;
            hits.add(new Hit(
                    chunk.documentId(),
                    chunk.filename(),
                    chunk.documentVersion(),
                    chunk.id(),
                    chunk.position(),
                    chunk.headingPath(),
                    chunk.page(),
                    chunk.content(),
                    scores.get(id),
                    cosine,
                    textMatches.contains(id)));
        }
        hits.sort(Comparator.comparingDouble(Hit::score).reversed());
        return hits;
    }

    /**
     * The question's vector; null when an upstream embedding model cannot embed it now (down, rate
     * limited, the user's budget spent), so search falls back to full text and a chat turn goes on
     * without passages rather than failing.
     */
    private @Nullable Embedding embedQuestion(UUID userId, String query) {
        try {
            return embeddings.embed(userId, query);
        } catch (ApiProblem e) {
            log.warn(
                    "Searching documents by their words only: the question could not be embedded ({})", e.getMessage());
            return null;
        }
    }

    /** The query's words, without operators: {@code websearch_to_tsquery} gets them plain. */
    private static List<String> words(String query) {
        var words = new LinkedHashSet<String>();
        var matcher = WORD.matcher(query.toLowerCase(Locale.ROOT));
        while (matcher.find() && words.size() < MAX_WORDS) {
            if (Words.needsBreaking(matcher.group())) {
                // a run of Chinese, Japanese or Thai is several words: each as the index holds it
                for (var term : Words.searchTerms(matcher.group())) {
                    if (words.size() < MAX_WORDS) {
                        words.add(term);
                    }
                }
            } else {
                words.add(matcher.group());
            }
        }
        words.remove("or"); // websearch syntax
        return List.copyOf(words);
    }
}
