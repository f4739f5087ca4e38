package dev.colloquy.document;

/**
 * Unit vectors stored as one signed byte per component with one scale per vector: component i is
 * {@code bytes[i] / scale}, the scale chosen so the largest component uses the full byte. A fourth
 * of the memory of floats, and a dot product of two is an integer loop the JIT vectorises.
 */
final class Int8Vectors {

    private Int8Vectors() {}

    /** The vector's bytes; its scale is {@link #scale(float[])}. */
    static byte[] quantize(float[] vector) {
        float scale = scale(vector);
        var bytes = new byte[vector.length];
        for (int i = 0; i < vector.length; i++) {
            bytes[i] = (byte) Math.max(-127, Math.min(127, Math.round(vector[i] * scale)));
        }
        return bytes;
    }

    static float scale(float[] vector) {
        float max = 0;
        for (float value : vector) {
            max = Math.max(max, Math.abs(value));
        }
        return max == 0 ? 1 : 127 / max;
    }

    /** The integer dot product of the query with the vector starting at {@code offset} in the matrix. */
    static int dot(byte[] query, byte[] matrix, int offset) {
        int sum = 0;
        for (int i = 0; i < query.length; i++) {
            sum += query[i] * matrix[offset + i];
        }
        return sum;
    }
}
