package dev.prescient.engine.bench;

/**
 * Client latencies of a benchmark, too many to keep one by one: 1 us buckets up to 100 ms (the
 * last bucket holds everything above), plus the exact maximum. One instance per thread, merged at
 * the end; not thread-safe.
 */
final class LatencyHistogram {
    private static final int BUCKETS = 100_000;
    private final long[] counts = new long[BUCKETS + 1];
    private long n;
    private long maxNanos;

    void record(long nanos) {
        counts[(int) Math.min(BUCKETS, Math.max(0, nanos / 1000))]++;
        n++;
        maxNanos = Math.max(maxNanos, nanos);
    }

    void add(LatencyHistogram o) {
        for (int i = 0; i <= BUCKETS; i++) {
            counts[i] += o.counts[i];
        }
        n += o.n;
        maxNanos = Math.max(maxNanos, o.maxNanos);
    }

    long count() {
        return n;
    }

    /** Nearest-rank percentile, as the upper bound of its 1 us bucket, in milliseconds. */
    double pctMs(double p) {
        long rank = Math.max(1, (long) Math.ceil(p * n));
        long seen = 0;
        for (int i = 0; i <= BUCKETS; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return i == BUCKETS ? maxNanos / 1e6 : Math.min(maxNanos / 1e6, (i + 1) / 1000.0);
            }
        }
        return maxNanos / 1e6;
    }

    /** "n=123456: p50 0.05 ms, p99 0.80, p99.9 4.10, max 12.30" (percentiles only from enough samples). */
    String summary() {
        StringBuilder b = new StringBuilder(String.format("n=%d:", n));
        String sep = " ";
        for (double p : new double[] {0.5, 0.99, 0.999, 0.9999}) {
            if (n >= BenchStats.needed(p)) {
                b.append(sep).append(BenchStats.name(p)).append(String.format(" %.2f", pctMs(p)));
                sep = ", ";
            }
        }
        return b.append(String.format("%smax %.2f ms", sep, maxNanos / 1e6)).toString();
    }
}
