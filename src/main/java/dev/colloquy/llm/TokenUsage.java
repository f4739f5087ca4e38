package dev.colloquy.llm;

/**
 * Tokens of one call, by bucket. {@code input} counts every prompt token, those read from or written
 * to the upstream's prompt cache included; {@code output} every answer token, reasoning included. The
 * other buckets say how many of them were of that kind, so each token is priced once.
 *
 * @param cachedInput prompt tokens read from the upstream's prompt cache
 * @param cacheWrite prompt tokens written to it (Anthropic's cache creation)
 * @param reasoning answer tokens spent on reasoning
 */
public record TokenUsage(int input, int output, int cachedInput, int cacheWrite, int reasoning) {

    public static final TokenUsage NONE = new TokenUsage(0, 0, 0, 0, 0);

    public TokenUsage {
        if (input < 0 || output < 0 || cachedInput < 0 || cacheWrite < 0 || reasoning < 0) {
            throw new IllegalArgumentException("token counts cannot be negative");
        }
    }

    public static TokenUsage of(int input, int output) {
        return new TokenUsage(input, output, 0, 0, 0);
    }

    public TokenUsage add(TokenUsage other) {
        return new TokenUsage(
                input + other.input,
                output + other.output,
                cachedInput + other.cachedInput,
                cacheWrite + other.cacheWrite,
                reasoning + other.reasoning);
    }

    public int total() {
        return input + output;
    }
}
