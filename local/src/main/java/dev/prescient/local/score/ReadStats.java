package dev.prescient.local.score;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every read of a scenario run as the workload saw it: when, on which volume, how long it took, whether the replica
 * that served it was on the reader's node, and whether it was on the degrading (failing) disk. Summarised for the
 * scorecard (bench/scenario-scorecard.sh).
 */
public final class ReadStats {

    /** One run's read figures. SLO: a window of one volume misses when its p99 read latency exceeds the target. */
    public record Summary(long reads, double localShare, double p50Micros, double p99Micros,
                          double failingDiskSeconds, int sloWindows, int sloWindowsMissed, double sloMissMinutes) {
    }

    private final double windowSeconds;
    private final Map<String, Map<Long, List<Double>>> windows = new HashMap<>();
    private double[] latency = new double[1 << 12];
    /** When each read was (scenario seconds) and of which volume, for {@link #describeTail}. */
    private double[] at = new double[1 << 12];
    private String[] volumeOf = new String[1 << 12];
    private int n;
    private long local;
    private double failingMicros;

    /** @param windowSeconds the SLO window (the p99 of each volume's reads in each window is judged) */
    public ReadStats(double windowSeconds) {
        if (!(windowSeconds > 0)) {
            throw new IllegalArgumentException("window must be positive");
        }
        this.windowSeconds = windowSeconds;
    }

    public synchronized void record(double t, String volume, double latencyMicros, boolean onReadersNode,
                                    boolean onFailingDisk) {
        if (n == latency.length) {
            latency = Arrays.copyOf(latency, n * 2);
            at = Arrays.copyOf(at, n * 2);
            volumeOf = Arrays.copyOf(volumeOf, n * 2);
        }
        at[n] = t;
        volumeOf[n] = volume;
        latency[n++] = latencyMicros;
        if (onReadersNode) {
            local++;
        }
        if (onFailingDisk) {
            failingMicros += latencyMicros;
        }
        windows.computeIfAbsent(volume, k -> new HashMap<>())
                .computeIfAbsent((long) Math.floor(t / windowSeconds), k -> new ArrayList<>()).add(latencyMicros);
    }

    /** Nearest-rank percentile of {@code sorted} (0 for none). */
    static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    /**
     * @param sloP99Micros the policy's read-latency p99 target
     * @param minReads     a window with fewer reads is not judged (its p99 is one read)
     */
    public synchronized Summary summary(double sloP99Micros, int minReads) {
        double[] all = Arrays.copyOf(latency, n);
        Arrays.sort(all);
        int judged = 0;
        int missed = 0;
        for (Map<Long, List<Double>> byWindow : windows.values()) {
            for (List<Double> w : byWindow.values()) {
                if (w.size() < minReads) {
                    continue;
                }
                judged++;
                double[] s = w.stream().mapToDouble(Double::doubleValue).sorted().toArray();
                if (percentile(s, 0.99) > sloP99Micros) {
                    missed++;
                }
            }
        }
        return new Summary(n, n == 0 ? 0 : (double) local / n, percentile(all, 0.50), percentile(all, 0.99),
                failingMicros / 1e6, judged, missed, missed * windowSeconds / 60.0);
    }

    /**
     * Where the slowest reads were, to tell what set the p99 (a diagnostic for the run log, not a scorecard figure):
     * the reads at or above the run's {@code p} percentile, counted per volume and per 10 s of the scenario.
     */
    public synchronized String describeTail(double p) {
        double[] all = Arrays.copyOf(latency, n);
        Arrays.sort(all);
        double bar = percentile(all, p);
        Map<String, Integer> byVolume = new java.util.TreeMap<>();
        Map<Long, Integer> byWindow = new java.util.TreeMap<>();
        for (int i = 0; i < n; i++) {
            if (latency[i] >= bar) {
                byVolume.merge(volumeOf[i], 1, Integer::sum);
                byWindow.merge((long) Math.floor(at[i] / 10) * 10, 1, Integer::sum);
            }
        }
        int count = byVolume.values().stream().mapToInt(Integer::intValue).sum();
        return String.format(java.util.Locale.ROOT, "%d reads >= %.2f ms: by volume %s; by scenario second %s",
                count, bar / 1000, byVolume, byWindow);
    }
}
