package dev.colloquy.llm;

import dev.colloquy.web.ApiProblem;
import org.springframework.http.HttpStatus;

/** Embeddings asked of a model that has none to give. */
public final class NoEmbeddings extends ApiProblem {

    public NoEmbeddings(String model) {
        super(
                HttpStatus.BAD_REQUEST,
                "no-embeddings",
                "No embeddings",
                "Model " + model + " produces no embeddings; ask a model whose upstream serves /embeddings");
    }
}
