package dev.prescient.engine.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * What every benchmark prints the same way: the machine's load (figures from a loaded machine are
 * not comparable, so the load is part of the output) and percentiles that are printed only from
 * enough samples to mean something: pX needs at least 1 / (1 - X) samples (p99: 100, p99.9:
 * 1,000); below that the maximum is what the samples can tell.
 */
public final class BenchStats {
    /** Upper bounds of the histogram buckets, in milliseconds; the last bucket is open. */
    static final double[] BUCKET_MS = {0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 50, 100};

    private BenchStats() {
    }

    /** "1.23 0.98 0.77 2/345 6789 (2 cpus)": /proc/loadavg and the processors this JVM sees. */
    public static String loadavg() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip() + " ("
                    + Runtime.getRuntime().availableProcessors() + " cpus)";
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    /** Samples needed before percentile {@code p} (0.99) is more than the maximum. */
    static long needed(double p) {
        return (long) Math.ceil(1 / (1 - p) - 1e-9);
    }

    /** Nearest-rank percentile of sorted samples. */
    static long pct(long[] sorted, double p) {
        int i = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    static String name(double p) {
        String s = String.valueOf(p * 100);
        return "p" + (s.endsWith(".0") ? s.substring(0, s.length() - 2) : s);
    }

    /** "p99 1.23 ms", or "p99 n/a (n=20 < 100)" when there are too few samples for it. */
    public static String pctMs(long[] sortedNanos, double p) {
        if (sortedNanos.length < needed(p)) {
            return String.format("%s n/a (n=%d < %d)", name(p), sortedNanos.length, needed(p));
        }
        return String.format("%s %.2f ms", name(p), pct(sortedNanos, p) / 1e6);
    }

    /** "n=1000: p50 1.10 ms, p90 ..., p99 ..., p99.9 ..., max 9.87 ms" (sorts a copy). */
    public static String summaryMs(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        if (s.length == 0) {
            return "n=0";
        }
        StringBuilder b = new StringBuilder("n=" + s.length + ":");
        for (double p : new double[] {0.5, 0.9, 0.99, 0.999}) {
            b.append(' ').append(pctMs(s, p)).append(',');
        }
        return b.append(String.format(" max %.2f ms", s[s.length - 1] / 1e6)).toString();
    }

    /** Header line of {@link #histogramRow}. */
    public static String histogramHeader(String label) {
        StringBuilder b = new StringBuilder(String.format("%-12s", label));
        for (double ms : BUCKET_MS) {
            b.append(String.format(" %6s", "<" + fmt(ms)));
        }
        b.append(String.format(" %6s", ">=" + fmt(BUCKET_MS[BUCKET_MS.length - 1])));
        return b.append(String.format(" | %8s %8s %8s", "p50", "p99", "max")).toString();
    }

    /** Counts per bucket (milliseconds) and p50/p99/max of one series of durations. */
    public static String histogramRow(String label, long[] nanos) {
        long[] counts = new long[BUCKET_MS.length + 1];
        for (long n : nanos) {
            double ms = n / 1e6;
            int i = 0;
            while (i < BUCKET_MS.length && ms >= BUCKET_MS[i]) {
                i++;
            }
            counts[i]++;
        }
        StringBuilder b = new StringBuilder(String.format("%-12s", label));
        for (long c : counts) {
            b.append(String.format(" %6d", c));
        }
        long[] s = nanos.clone();
        Arrays.sort(s);
        String p99 = s.length >= needed(0.99) ? String.format("%8.3f", pct(s, 0.99) / 1e6) : String.format("%8s", "n/a");
        return b.append(String.format(" | %8.3f %s %8.3f", s.length == 0 ? 0 : pct(s, 0.5) / 1e6, p99,
                s.length == 0 ? 0 : s[s.length - 1] / 1e6)).toString();
    }

    private static String fmt(double ms) {
        return ms == Math.rint(ms) ? String.valueOf((long) ms) : String.valueOf(ms);
    }
}
