package dev.prescient.predict.failure;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * Anomaly score for one engine health signal of one node or device (read latency, error rate):
 * a robust z-score of each new value against the node's own recent history,
 * {@code (x - median) / (1.4826 * MAD)}. Median and MAD ignore the few spikes that a mean and
 * standard deviation would chase, and comparing a node with itself avoids flagging a node that
 * is simply slower hardware than its neighbours.
 */
public final class HealthSignalTracker {

    /** Samples needed before a z-score means anything. */
    public static final int MIN_HISTORY = 8;
    /** Anomalous reports in a row not added to the history (see observeUnlessAnomalous); not persisted. */
    private int heldBack;
    /**
     * The scale is at least this share of the median: latency percentiles arrive quantised (the engines count in
     * log2 buckets) and steady, so the MAD is often 0, and with a 1% floor one bucket up (2x) scored z = 100 - a
     * certain "failure" for a disk that was merely busy. With half the median, 2x scores 2, 4x 6 (p 0.5), 8x 14.
     */
    static final double FLOOR_SHARE = 0.5;

    /** Reports in a row that make the current level (see score); transient, refills in a few reports. */
    static final int RECENT = 5;

    private final double[] ring;
    private long count;
    private final double[] recent = new double[RECENT];
    private int recentCount;

    public HealthSignalTracker(int window) {
        if (window < MIN_HISTORY) {
            throw new IllegalArgumentException("window must be >= " + MIN_HISTORY);
        }
        this.ring = new double[window];
    }

    /** Adds a sample to the history; NaN (signal not reported) is ignored. */
    public void observe(double x) {
        if (Double.isNaN(x)) {
            return;
        }
        ring[(int) (count % ring.length)] = x;
        count++;
    }

    public int history() {
        return (int) Math.min(count, ring.length);
    }

    /**
     * Adds {@code x} to the history unless it is more than {@code maxZ} robust deviations above the median: a
     * device that keeps getting slower then stays anomalous against its healthy past instead of teaching the
     * history, within a few reports, that slow is normal. After a whole window of such reports in a row the
     * new level is taken as the device's normal (a lasting, harmless change must not alarm forever).
     */
    public void observeUnlessAnomalous(double x, double maxZ) {
        // A single slow report does not alarm (score), but it does not teach the history either (zScore).
        double z = Math.max(zScore(x), score(x));
        if (!Double.isNaN(x)) {
            recent[recentCount++ % RECENT] = x;
        }
        if (!Double.isNaN(z) && z > maxZ) {
            if (heldBack < ring.length) {
                heldBack++;
                return;
            }
        } else {
            heldBack = 0;
        }
        observe(x);
    }

    /**
     * Counts {@code x} toward the current level (see {@link #score}) without adding it to the history: for a
     * signal whose history must only learn from a healthy device, while its score still follows the reports.
     */
    public void observeLevelOnly(double x) {
        if (!Double.isNaN(x)) {
            recent[recentCount++ % RECENT] = x;
        }
    }

    /**
     * Robust z of {@code x} against the history (positive = above normal); NaN with fewer than
     * {@link #MIN_HISTORY} samples or for NaN input. A constant history has MAD 0; the scale then
     * falls back to half the median magnitude (or 1e-9), so a change from a flat line counts
     * by how many times the usual value it is.
     */
    public double zScore(double x) {
        int n = history();
        if (n < MIN_HISTORY || Double.isNaN(x)) {
            return Double.NaN;
        }
        return robustZ(x, Arrays.copyOf(ring, n));
    }

    /**
     * The anomaly score of {@code x}: how far the device's current level is above its history. The level is the
     * lowest of {@code x} and the previous {@link #RECENT}-1 reports, so only a slowdown that lasts counts (a busy
     * machine's single slow report, which a disk that is failing does not stop at, never evacuates a node). It
     * is judged against the whole history and against its older half, whichever says more: a disk that slows
     * down gradually, each report a little above the last, would otherwise teach the history its own decline and
     * never look anomalous. NaN with fewer than {@link #MIN_HISTORY} samples or for NaN input.
     */
    public double score(double x) {
        if (history() < MIN_HISTORY || Double.isNaN(x)) {
            return Double.NaN;
        }
        double level = level(x);
        return Math.max(robustZ(level, Arrays.copyOf(ring, history())), robustZ(level, older()));
    }

    /** The current level ({@link #score}) against the older half of the history only. */
    public double driftScore(double x) {
        if (history() < MIN_HISTORY || Double.isNaN(x)) {
            return Double.NaN;
        }
        return robustZ(level(x), older());
    }

    /** The lowest of {@code x} and the previous {@link #RECENT}-1 reports (see {@link #score}). */
    double level(double x) {
        double level = x;
        for (int i = 0; i < Math.min(recentCount, RECENT - 1); i++) {
            level = Math.min(level, recent[(recentCount - 1 - i) % RECENT]);
        }
        return level;
    }

    private double[] older() {
        int n = history();
        double[] ref = new double[n / 2];
        long first = count - n;
        for (int i = 0; i < ref.length; i++) {
            ref[i] = ring[(int) ((first + i) % ring.length)];
        }
        return ref;
    }

    private static double robustZ(double x, double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        double med = median(v);
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.abs(v[i] - med);
        }
        Arrays.sort(v);
        double mad = median(v);
        double scale = Math.max(1.4826 * mad, Math.max(1e-9, FLOOR_SHARE * Math.abs(med)));
        return (x - med) / scale;
    }

    static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /**
     * Probability contribution of upward anomalies in latency and error rate. This is a prior,
     * not fitted (no public data labels engine anomalies with failures): a logistic in the
     * larger z with midpoint {@code z = 6} and unit slope, so z = 3.5 gives ~8% and z = 8 ~88%.
     * Downward deviations (faster, fewer errors) never raise it.
     */
    public static double anomalyProbability(double latencyZ, double errorZ) {
        double z = Math.max(Double.isNaN(latencyZ) ? Double.NEGATIVE_INFINITY : latencyZ,
                Double.isNaN(errorZ) ? Double.NEGATIVE_INFINITY : errorZ);
        if (z == Double.NEGATIVE_INFINITY || z <= 0) {
            return 0;
        }
        return 1 / (1 + Math.exp(-(z - 6)));
    }

    void writeState(DataOutput out) throws IOException {
        out.writeInt(ring.length);
        int n = history();
        out.writeInt(n);
        for (long k = count - n; k < count; k++) {
            out.writeDouble(ring[(int) (k % ring.length)]);
        }
    }

    static HealthSignalTracker readState(DataInput in) throws IOException {
        int window = in.readInt();
        int n = in.readInt();
        if (window < MIN_HISTORY || window > 10_000_000 || n < 0 || n > window) {
            throw new FailureModelException("corrupt health tracker state");
        }
        HealthSignalTracker t = new HealthSignalTracker(window);
        for (int i = 0; i < n; i++) {
            t.observe(in.readDouble());
        }
        return t;
    }
}
