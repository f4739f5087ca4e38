package dev.colloquy.llm.embedding;

/**
 * A text's vector and the model that made it: vectors of two models are never compared.
 *
 * @param model the model's name, as stored beside the vector
 * @param vector unit length
 */
public record Embedding(String model, float[] vector) {}
