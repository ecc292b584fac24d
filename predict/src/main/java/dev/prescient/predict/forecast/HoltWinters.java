package dev.prescient.predict.forecast;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Additive exponential smoothing: level, optional damped trend, optional seasonal component of
 * period {@code season} (0 = none). Covers simple exponential smoothing, Holt's damped trend and
 * additive Holt-Winters in one filter. Parameters are fitted by minimising the one-step squared
 * error over the training part ({@link #fit}).
 */
public final class HoltWinters implements Forecaster {

    private final int season;
    private final boolean trend;
    private final double alpha;
    private final double beta;
    private final double gamma;
    private final double phi;

    private double level;
    private double slope;
    private final double[] seasonal;
    private long count;

    public HoltWinters(int season, boolean trend, double alpha, double beta, double gamma, double phi) {
        if (season < 0 || season == 1) {
            throw new IllegalArgumentException("season must be 0 (none) or >= 2, got " + season);
        }
        for (double p : new double[] {alpha, beta, gamma, phi}) {
            if (!(p >= 0 && p <= 1)) {
                throw new IllegalArgumentException("smoothing parameters must be in [0,1]");
            }
        }
        this.season = season;
        this.trend = trend;
        this.alpha = alpha;
        this.beta = trend ? beta : 0;
        this.gamma = season > 0 ? gamma : 0;
        this.phi = trend ? phi : 0;
        this.seasonal = new double[Math.max(season, 1)];
    }

    /** Points needed before the seasonal state can be initialised from data. */
    public static int minHistory(int season) {
        return season == 0 ? 2 : 2 * season;
    }

    /**
     * Fits smoothing parameters on {@code train} (NaN allowed) and returns a model whose state
     * has consumed all of it. Throws if the history is shorter than {@link #minHistory}.
     */
    public static HoltWinters fit(double[] train, int season, boolean trend) {
        return fit(train, season, trend, true);
    }

    /** As {@link #fit(double[], int, boolean)}; {@code damped = false} fixes phi = 1 (linear growth). */
    public static HoltWinters fit(double[] train, int season, boolean trend, boolean damped) {
        if (train.length < minHistory(season)) {
            throw new IllegalArgumentException("need " + minHistory(season) + " points, got " + train.length);
        }
        boolean fitPhi = trend && damped;
        int dims = 1 + (trend ? 1 : 0) + (fitPhi ? 1 : 0) + (season > 0 ? 1 : 0);
        // Unconstrained search over logits; bounds keep the filter away from degenerate corners.
        java.util.function.ToDoubleFunction<double[]> objective = x -> {
            HoltWinters m = fromLogits(x, season, trend, fitPhi);
            return m.oneStepSse(train);
        };
        double[] start = new double[dims];
        start[0] = logit(0.3);
        int k = 1;
        if (trend) {
            start[k++] = logit(0.05);
        }
        if (fitPhi) {
            start[k++] = logit(0.9);
        }
        if (season > 0) {
            start[k] = logit(0.1);
        }
        double[] best = NelderMead.minimise(objective, start, 1.0, 400);
        HoltWinters m = fromLogits(best, season, trend, fitPhi);
        m.prime(train);
        return m;
    }

    private static HoltWinters fromLogits(double[] x, int season, boolean trend, boolean fitPhi) {
        double a = bound(sigmoid(x[0]), 0.01, 0.99);
        double b = 0;
        double p = trend ? 1 : 0;
        int k = 1;
        if (trend) {
            b = bound(sigmoid(x[k++]), 0.0, 0.5);
        }
        if (fitPhi) {
            p = bound(sigmoid(x[k++]), 0.8, 0.98);
        }
        double g = season > 0 ? bound(sigmoid(x[k]), 0.0, 0.9) : 0;
        return new HoltWinters(season, trend, a, b, g, p);
    }

    private static double bound(double v, double lo, double hi) {
        return lo + (hi - lo) * v;
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    private static double logit(double p) {
        return Math.log(p / (1 - p));
    }

    /** Runs a fresh copy of the filter over {@code y} and sums the one-step squared errors. */
    double oneStepSse(double[] y) {
        HoltWinters m = new HoltWinters(season, trend, alpha, beta, gamma, phi);
        int init = m.initialise(y);
        double sse = 0;
        for (int t = init; t < y.length; t++) {
            if (!Double.isNaN(y[t])) {
                double e = y[t] - m.oneStep();
                sse += e * e;
            }
            m.observe(y[t]);
        }
        return sse;
    }

    /** Initialises state from the start of the history and consumes the rest. */
    void prime(double[] y) {
        int init = initialise(y);
        for (int t = init; t < y.length; t++) {
            observe(y[t]);
        }
    }

    /**
     * Classical decomposition start: level = mean of season 1, slope from the difference of the
     * first two seasonal means, seasonal indices = season-1 deviations from its mean. Returns the
     * number of points used (they are not replayed, which keeps the start from over-fitting).
     */
    private int initialise(double[] y) {
        if (season == 0) {
            level = firstFinite(y);
            slope = 0;
            count = 1;
            return Math.min(1, y.length);
        }
        double m1 = meanFinite(y, 0, season);
        double m2 = meanFinite(y, season, 2 * season);
        level = m2;
        slope = trend ? (m2 - m1) / season : 0;
        for (int i = 0; i < season; i++) {
            double a = y[i] - m1;
            double b = y[season + i] - m2;
            double s = Double.isNaN(a) ? b : Double.isNaN(b) ? a : (a + b) / 2;
            seasonal[i] = Double.isNaN(s) ? 0 : s;
        }
        count = 2L * season;
        return 2 * season;
    }

    private static double firstFinite(double[] y) {
        for (double v : y) {
            if (!Double.isNaN(v)) {
                return v;
            }
        }
        return 0;
    }

    private static double meanFinite(double[] y, int from, int to) {
        double s = 0;
        int n = 0;
        for (int i = from; i < to; i++) {
            if (!Double.isNaN(y[i])) {
                s += y[i];
                n++;
            }
        }
        return n == 0 ? 0 : s / n;
    }

    private double oneStep() {
        return level + phi * slope + seasonal[seasonIndex(count)];
    }

    private int seasonIndex(long t) {
        return season == 0 ? 0 : (int) (t % season);
    }

    @Override
    public String name() {
        String t = !trend ? "" : phi < 1 ? "damped-" : "linear-";
        return season > 0 ? "hw-" + t + season : trend ? "holt-" + t.substring(0, t.length() - 1) : "ses";
    }

    @Override
    public void observe(double y) {
        int idx = seasonIndex(count);
        double s = seasonal[idx];
        double prevLevel = level;
        if (Double.isNaN(y)) {
            // Missing value: let the state age as if the one-step forecast had come true.
            level = prevLevel + phi * slope;
            slope = phi * slope;
        } else {
            level = alpha * (y - s) + (1 - alpha) * (prevLevel + phi * slope);
            if (trend) {
                slope = beta * (level - prevLevel) + (1 - beta) * phi * slope;
            }
            if (season > 0) {
                seasonal[idx] = gamma * (y - level) + (1 - gamma) * s;
            }
        }
        count++;
    }

    @Override
    public double[] forecast(int horizon) {
        double[] f = new double[horizon];
        double damp = 0;
        double pow = 1;
        for (int h = 1; h <= horizon; h++) {
            pow *= phi;
            damp += pow;
            f[h - 1] = level + damp * slope + seasonal[seasonIndex(count + h - 1)];
        }
        return f;
    }

    @Override
    public long observed() {
        return count;
    }

    public double alpha() {
        return alpha;
    }

    public double beta() {
        return beta;
    }

    public double gamma() {
        return gamma;
    }

    public double phi() {
        return phi;
    }

    @Override
    public HoltWinters copy() {
        HoltWinters c = new HoltWinters(season, trend, alpha, beta, gamma, phi);
        c.level = level;
        c.slope = slope;
        System.arraycopy(seasonal, 0, c.seasonal, 0, seasonal.length);
        c.count = count;
        return c;
    }

    @Override
    public void writeState(DataOutput out) throws IOException {
        out.writeInt(season);
        out.writeBoolean(trend);
        out.writeDouble(alpha);
        out.writeDouble(beta);
        out.writeDouble(gamma);
        out.writeDouble(phi);
        out.writeDouble(level);
        out.writeDouble(slope);
        out.writeLong(count);
        if (season > 0) {
            for (double s : seasonal) {
                out.writeFloat((float) s);
            }
        }
    }

    static HoltWinters readState(DataInput in) throws IOException {
        int season = in.readInt();
        boolean trend = in.readBoolean();
        double a = in.readDouble();
        double b = in.readDouble();
        double g = in.readDouble();
        double p = in.readDouble();
        HoltWinters m;
        try {
            m = new HoltWinters(season, trend, a, b, g, p);
        } catch (IllegalArgumentException e) {
            throw new ModelStateException("corrupt holt-winters state: " + e.getMessage());
        }
        m.level = in.readDouble();
        m.slope = in.readDouble();
        m.count = in.readLong();
        if (season > 0) {
            for (int i = 0; i < season; i++) {
                m.seasonal[i] = in.readFloat();
            }
        }
        return m;
    }
}
