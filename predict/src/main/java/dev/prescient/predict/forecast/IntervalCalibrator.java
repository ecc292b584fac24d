package dev.prescient.predict.forecast;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * Prediction intervals from the model's own recent out-of-sample errors, one window per horizon.
 * Forecast errors of load series are skewed and heavy-tailed, so a normal interval would be wrong
 * in both tails; empirical quantiles are calibrated by construction on exchangeable errors, and
 * the finite-sample (split-conformal) rank keeps small windows from under-covering.
 *
 * <p>Exchangeability fails when a series changes character (a quiet week after a busy one), so
 * each horizon also adapts its tail level online from its own hits and misses (adaptive
 * conformal inference, Gibbs and Candes 2021): before an error joins the window it is checked
 * against the interval the current window gives; a miss lowers that horizon's tail level by
 * {@code gamma * (1 - alpha)}, a hit raises it by {@code gamma * alpha}, so over time the misses
 * settle at the target rate alpha whatever the error distribution does.
 */
public final class IntervalCalibrator {

    /** Fewer errors than this at a horizon: borrow the width from a shorter horizon. */
    static final int MIN_ERRORS = 8;

    private final int horizon;
    private final int window;
    private final double[][] errors;
    private final int[] counts;
    private final long[] writes;
    /** Per horizon: adjustment of the tail level alpha from observed misses (adaptive conformal). */
    private final double[] alphaShift;
    /** Bounds of the adapted alpha: never a zero-width or an infinite interval. */
    static final double MIN_ALPHA = 0.002;
    static final double MAX_ALPHA = 0.6;

    public IntervalCalibrator(int horizon, int window) {
        if (horizon < 1 || window < MIN_ERRORS) {
            throw new IllegalArgumentException("horizon >= 1 and window >= " + MIN_ERRORS + " required");
        }
        this.horizon = horizon;
        this.window = window;
        this.errors = new double[horizon][window];
        this.counts = new int[horizon];
        this.writes = new long[horizon];
        this.alphaShift = new double[horizon];
    }

    public int horizon() {
        return horizon;
    }

    /** Records the error (actual - forecast) of an {@code h}-step forecast, 1-based. */
    public void record(int h, double error) {
        if (h < 1 || h > horizon || !Double.isFinite(error)) {
            return;
        }
        int i = h - 1;
        errors[i][(int) (writes[i] % window)] = error;
        writes[i]++;
        counts[i] = (int) Math.min(window, writes[i]);
    }

    public int count(int h) {
        return counts[h - 1];
    }

    /**
     * Adaptive step for horizon {@code h}: is {@code error} inside the interval at the current
     * adapted level? Moves the level by {@code gamma} times (target miss rate - miss). Call before
     * {@link #record} of the same error. No-op while the horizon has no interval yet.
     */
    public void adapt(int h, double error, double level, double gamma) {
        if (h < 1 || h > horizon || !Double.isFinite(error) || !(gamma > 0)) {
            return;
        }
        double[] off = offsets(h, level);
        if (Double.isNaN(off[0])) {
            return;
        }
        double alpha = 1 - level;
        double miss = error < off[0] || error > off[1] ? 1 : 0;
        double next = alpha + alphaShift[h - 1] + gamma * (alpha - miss);
        alphaShift[h - 1] = Math.max(MIN_ALPHA, Math.min(MAX_ALPHA, next)) - alpha;
    }

    /** The tail level (1 - coverage) in use at horizon h for a nominal {@code level}. */
    public double adaptedAlpha(int h, double level) {
        return Math.max(MIN_ALPHA, Math.min(MAX_ALPHA, 1 - level + alphaShift[h - 1]));
    }

    /**
     * Lower and upper error offsets for a central interval of coverage {@code level}, or NaNs
     * when no horizon up to {@code h} has enough errors yet.
     */
    public double[] offsets(int h, double level) {
        int src = h;
        while (src >= 1 && counts[src - 1] < MIN_ERRORS) {
            src--;
        }
        if (src < 1) {
            return new double[] {Double.NaN, Double.NaN};
        }
        int n = counts[src - 1];
        double[] e = Arrays.copyOf(errors[src - 1], n);
        Arrays.sort(e);
        double tail = adaptedAlpha(h, level) / 2;
        // Split-conformal ranks: ceil((n+1)(1-tail)) from the bottom, clamped to the sample.
        int hiRank = (int) Math.ceil((n + 1) * (1 - tail));
        int loRank = (int) Math.floor((n + 1) * tail);
        double hi = e[Math.min(n, Math.max(1, hiRank)) - 1];
        double lo = e[Math.min(n, Math.max(1, loRank)) - 1];
        if (src < h) {
            // Errors of a random-walk-like process grow roughly with sqrt(h): a labelled stopgap.
            double scale = Math.sqrt((double) h / src);
            lo *= scale;
            hi *= scale;
        }
        return new double[] {Math.min(lo, 0), Math.max(hi, 0)};
    }

    /** Share of recorded {@code h}-step errors that are >= {@code delta}; NaN if too few. */
    public double fractionAtLeast(int h, double delta) {
        int src = h;
        while (src >= 1 && counts[src - 1] < MIN_ERRORS) {
            src--;
        }
        if (src < 1) {
            return Double.NaN;
        }
        double scale = Math.sqrt((double) h / src);
        int n = counts[src - 1];
        int hit = 0;
        for (int i = 0; i < n; i++) {
            if (errors[src - 1][i] * scale >= delta) {
                hit++;
            }
        }
        // Add-one smoothing: a finite window never proves a probability of exactly 0 or 1.
        return (hit + 0.5) / (n + 1.0);
    }

    public IntervalCalibrator copy() {
        IntervalCalibrator c = new IntervalCalibrator(horizon, window);
        for (int i = 0; i < horizon; i++) {
            System.arraycopy(errors[i], 0, c.errors[i], 0, window);
        }
        System.arraycopy(counts, 0, c.counts, 0, horizon);
        System.arraycopy(writes, 0, c.writes, 0, horizon);
        System.arraycopy(alphaShift, 0, c.alphaShift, 0, horizon);
        return c;
    }

    void writeState(DataOutput out) throws IOException {
        out.writeInt(horizon);
        out.writeInt(window);
        for (int i = 0; i < horizon; i++) {
            out.writeInt(counts[i]);
            // Oldest first, so the ring restarts in the same order.
            long start = writes[i] - counts[i];
            for (long k = start; k < writes[i]; k++) {
                out.writeFloat((float) errors[i][(int) (k % window)]);
            }
            out.writeDouble(alphaShift[i]);
        }
    }

    static IntervalCalibrator readState(DataInput in) throws IOException {
        int horizon = in.readInt();
        int window = in.readInt();
        if (horizon < 1 || horizon > 100_000 || window < MIN_ERRORS || window > 1_000_000) {
            throw new ModelStateException("corrupt interval calibrator header");
        }
        IntervalCalibrator c = new IntervalCalibrator(horizon, window);
        for (int i = 0; i < horizon; i++) {
            int n = in.readInt();
            if (n < 0 || n > window) {
                throw new ModelStateException("corrupt interval calibrator count");
            }
            for (int k = 0; k < n; k++) {
                c.record(i + 1, in.readFloat());
            }
            double shift = in.readDouble();
            if (!(Math.abs(shift) <= 1)) {
                throw new ModelStateException("corrupt interval calibrator level");
            }
            c.alphaShift[i] = shift;
        }
        return c;
    }
}
