package dev.prescient.operator.telemetry;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;

/**
 * Keeps one series' published forecast honest against the baseline anyone could have had: "the same time a day
 * earlier" (seasonal naive). Every forecast the operator publishes is remembered with the baseline's value for the
 * same future step; when that step's value arrives, both errors are scored. While the baseline's errors over the
 * last {@link #WINDOW} resolved forecasts are smaller than the model's, the baseline is what gets published, with an
 * interval from the baseline's own signed errors (so it holds about the stated level by construction, not by a
 * model's assumption). Pure and single-threaded: {@link VolumeForecasts} calls it under its lock.
 */
final class SeasonalGuard {

    /** Resolved forecasts compared (recent behaviour decides; a series that changes regime switches back). */
    static final int WINDOW = 24;
    /** Resolved pairs needed before the guard overrules the model. */
    static final int MIN_RESOLVED = 8;
    /** Forecasts waiting for their step, at most (a planner that publishes every step with a long lead). */
    static final int MAX_PENDING = 256;

    private record Pending(long step, double model, double baseline) {
    }

    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private final double[] modelErr = new double[WINDOW];
    private final double[] baseErr = new double[WINDOW];
    /** y - baseline, for the baseline's interval. */
    private final double[] baseSigned = new double[WINDOW];
    private int resolved;
    private int next;

    /**
     * Remembers the forecast published for {@code step} (one per step: the first publication counts, later passes in
     * the same step repeat it). A NaN baseline (no value a day before the target yet) is not scored.
     */
    void published(long step, double model, double baseline) {
        if (Double.isNaN(model) || Double.isNaN(baseline)) {
            return;
        }
        for (Pending p : pending) {
            if (p.step() == step) {
                return;
            }
        }
        if (pending.size() == MAX_PENDING) {
            pending.removeFirst();
        }
        pending.addLast(new Pending(step, model, baseline));
    }

    /** The value of {@code step} is known: scores the forecasts made for it and forgets older ones never resolved. */
    void observed(long step, double value) {
        for (Iterator<Pending> it = pending.iterator(); it.hasNext(); ) {
            Pending p = it.next();
            if (p.step() > step) {
                continue;
            }
            it.remove();
            if (p.step() < step || Double.isNaN(value)) {
                continue;
            }
            modelErr[next] = Math.abs(p.model() - value);
            baseErr[next] = Math.abs(p.baseline() - value);
            baseSigned[next] = value - p.baseline();
            next = (next + 1) % WINDOW;
            resolved = Math.min(resolved + 1, WINDOW);
        }
    }

    /** Whether the baseline has done better than the model over the recent resolved forecasts. */
    boolean baselineWins() {
        if (resolved < MIN_RESOLVED) {
            return false;
        }
        double[] mae = meanErrors();
        return mae[1] < mae[0];
    }

    int resolved() {
        return resolved;
    }

    /** Mean absolute errors {model, baseline} over the window, NaN before anything resolved. */
    double[] meanErrors() {
        if (resolved == 0) {
            return new double[] {Double.NaN, Double.NaN};
        }
        double m = 0;
        double b = 0;
        for (int i = 0; i < resolved; i++) {
            m += modelErr[i];
            b += baseErr[i];
        }
        return new double[] {m / resolved, b / resolved};
    }

    /**
     * The baseline's central interval at {@code level}: the baseline plus the empirical quantiles of its signed
     * errors; NaN bounds before {@link #MIN_RESOLVED} errors.
     */
    double[] baselineInterval(double baseline, double level) {
        if (resolved < MIN_RESOLVED) {
            return new double[] {Double.NaN, Double.NaN};
        }
        double[] e = Arrays.copyOf(baseSigned, resolved);
        Arrays.sort(e);
        return new double[] {baseline + quantile(e, (1 - level) / 2), baseline + quantile(e, (1 + level) / 2)};
    }

    /** Linear interpolation between order statistics of sorted {@code xs}. */
    static double quantile(double[] xs, double q) {
        double pos = q * (xs.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, xs.length - 1);
        return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo);
    }
}
