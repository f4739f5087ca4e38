package dev.colloquy;

/** Percentiles of measured latencies, shared by the load tests and the benchmarks. */
public final class Latency {

    private Latency() {}

    /**
     * The latency at quantile {@code p} (0 to 1, nearest rank) of durations in nanoseconds sorted
     * ascending, in milliseconds; 0 when nothing was measured.
     */
    public static double millisAt(long[] sortedNanos, double p) {
        if (sortedNanos.length == 0) {
            return 0;
        }
        return sortedNanos[(int) Math.min(sortedNanos.length - 1, Math.ceil(p * sortedNanos.length) - 1)] / 1e6;
    }
}
