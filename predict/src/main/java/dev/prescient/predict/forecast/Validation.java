package dev.prescient.predict.forecast;

import static dev.prescient.predict.forecast.VolumeForecaster.ADAPT_RATE;
import static dev.prescient.predict.forecast.VolumeForecaster.BANDS;
import static dev.prescient.predict.forecast.VolumeForecaster.FIT_SHARE;
import static dev.prescient.predict.forecast.VolumeForecaster.SELECTION_DISCOUNT;
import static dev.prescient.predict.forecast.VolumeForecaster.VOL_FLOOR;
import static dev.prescient.predict.forecast.VolumeForecaster.band;
import static dev.prescient.predict.forecast.VolumeForecaster.candidates;
import static dev.prescient.predict.forecast.VolumeForecaster.initialVolatility;
import static dev.prescient.predict.forecast.VolumeForecaster.nanPrior;
import static dev.prescient.predict.forecast.VolumeForecaster.nextVolatility;
import static dev.prescient.predict.forecast.VolumeForecaster.selectBands;
import static dev.prescient.predict.forecast.VolumeForecaster.volScale;

import dev.prescient.predict.forecast.VolumeForecaster.Candidate;
import dev.prescient.predict.forecast.VolumeForecaster.Config;
import dev.prescient.predict.forecast.VolumeForecaster.Kind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The candidates of one series replayed over its validation part: the evidence from which
 * {@link VolumeForecaster} chooses models and seeds its intervals (split out of it: training
 * evidence on one side, the online forecaster on the other).
 */
final class Validation {
    /** One candidate replayed over the validation part. */
    static final class Run {
        /** Candidate name and scale, the same for the same candidate on every series. */
        final String key;
        final Transform transform;
        final Forecaster model;
        final List<double[]> paths = new ArrayList<>();
        final double[] mae = new double[BANDS.length];

        Run(String key, Transform transform, Forecaster model) {
            this.key = key;
            this.transform = transform;
            this.model = model;
        }

        double[] path(int horizon) {
            double[] z = model.forecast(horizon);
            for (int i = 0; i < z.length; i++) {
                z[i] = transform.inverse(z[i]);
            }
            return z;
        }

        void replay(double[] ys, int horizon) {
            double[] sum = new double[BANDS.length];
            int[] n = new int[BANDS.length];
            for (int t = 0; t < ys.length; t++) {
                paths.add(path(horizon));
                for (int k = 0; k < BANDS.length; k++) {
                    int h = BANDS[k];
                    int origin = t - h + 1;
                    if (h <= horizon && origin >= 0 && !Double.isNaN(ys[t])) {
                        sum[k] += Math.abs(ys[t] - paths.get(origin)[h - 1]);
                        n[k]++;
                    }
                }
                model.observe(transform.forward(ys[t]));
            }
            for (int k = 0; k < BANDS.length; k++) {
                mae[k] = n[k] == 0 ? Double.NaN : sum[k] / n[k];
            }
        }
    }

    /** Validates every candidate of one series; the evidence from which models are chosen. */
    static Validation of(double[] history, Config config, Kind kind) {
        boolean nonNegative = true;
        for (double v : history) {
            if (v < 0) {
                nonNegative = false;
                break;
            }
        }
        Transform scale = nonNegative ? Transform.LOG1P : Transform.IDENTITY;
        int fitLen = (int) Math.floor(history.length * FIT_SHARE);
        double[] fitPart = Arrays.copyOfRange(history, 0, fitLen);
        double[] valPart = Arrays.copyOfRange(history, fitLen, history.length);
        List<Run> runs = new ArrayList<>();
        if (valPart.length >= 2) {
            for (Candidate cand : candidates(config, nonNegative, kind)) {
                if (fitLen < cand.minHistory()) {
                    continue;
                }
                double[] z = new double[fitLen];
                for (int i = 0; i < fitLen; i++) {
                    z[i] = cand.transform().forward(fitPart[i]);
                }
                Run run = new Run(cand.name() + "@" + cand.transform(), cand.transform(), cand.fit().apply(z));
                run.replay(valPart, config.horizon());
                runs.add(run);
            }
        }
        return new Validation(history, config, kind, scale, fitPart, valPart, runs);
    }

    final double[] history;
    final Config config;
    final Kind kind;
    final Transform scale;
    final double[] fitPart;
    final double[] valPart;
    final List<Run> runs;
    /** Per band, the MAE of the reference (first, simplest) candidate: the unit of relative errors. */
    final double[] reference = new double[BANDS.length];

    Validation(double[] history, Config config, Kind kind, Transform scale, double[] fitPart, double[] valPart,
            List<Run> runs) {
        this.history = history;
        this.config = config;
        this.kind = kind;
        this.scale = scale;
        this.fitPart = fitPart;
        this.valPart = valPart;
        this.runs = runs;
        Arrays.fill(reference, Double.NaN);
        if (!runs.isEmpty()) {
            // candidates() lists naive (load) or drift (capacity) first, on the identity scale
            // when the series may be negative and first among the scales otherwise.
            Run ref = runs.get(0);
            for (int k = 0; k < BANDS.length; k++) {
                reference[k] = ref.mae[k];
            }
        }
    }

    /**
     * log(MAE / reference MAE) of the run at band k, clamped below at log(1e-6) (a perfect
     * candidate); NaN when the run has no error there or the reference is zero (a series the
     * naive forecast predicts exactly says nothing about which family is better).
     */
    double logRelative(Run r, int k) {
        double ref = reference[k];
        double mae = r.mae[k];
        if (!(ref > 0) || Double.isNaN(mae) || Double.isInfinite(ref)) {
            return Double.NaN;
        }
        return Math.log(Math.max(mae / ref, 1e-6));
    }

    /**
     * Builds the forecaster over every validated candidate: the selection state is the
     * discounted validation errors, the intervals are seeded with the errors of the online
     * selection replayed over the validation part.
     *
     * @param prior pooled log relative errors [band][run], or null for none
     */
    VolumeForecaster build(double[][] prior, double ownWeight) {
        if (runs.isEmpty()) {
            Forecaster naive = SeasonalNaive.naive();
            double[][] none = new double[BANDS.length][1];
            VolumeForecaster v = new VolumeForecaster(config, kind.top, scale, new Transform[] {Transform.IDENTITY},
                    new Forecaster[] {naive}, none, nanPrior(1), 1,
                    new IntervalCalibrator(config.horizon(), config.window()), VOL_FLOOR, 0);
            for (double y : history) {
                v.observe(y);
            }
            return v;
        }
        int n = runs.size();
        double[][] pri = prior == null ? nanPrior(n) : prior;
        Transform[] transforms = new Transform[n];
        Forecaster[] models = new Forecaster[n];
        for (int i = 0; i < n; i++) {
            // A copy: the same validation may build more than one forecaster.
            transforms[i] = runs.get(i).transform;
            models[i] = runs.get(i).model.copy();
        }
        IntervalCalibrator cal = new IntervalCalibrator(config.horizon(), config.window());
        // Seed the intervals with the out-of-sample validation errors of the combination as
        // it would have run: at each origin the models the errors seen so far selected (the
        // same online selection as after training), each error divided by the volatility
        // known when its forecast was made.
        double[][] errSum = new double[BANDS.length][n];
        double[][] comb = new double[valPart.length][];
        double[] volAt = new double[valPart.length + 1];
        volAt[0] = initialVolatility(fitPart, scale);
        for (int t = 0; t < valPart.length; t++) {
            int[][] sel = selectBands(errSum, pri, ownWeight, kind.top);
            comb[t] = new double[config.horizon()];
            for (int h = 1; h <= config.horizon(); h++) {
                int[] top = sel[band(h)];
                double z = 0;
                for (int r : top) {
                    z += scale.forward(runs.get(r).paths.get(t)[h - 1]) / top.length;
                }
                comb[t][h - 1] = z;
            }
            volAt[t + 1] = volAt[t];
            if (Double.isNaN(valPart[t])) {
                continue;
            }
            double zt = scale.forward(valPart[t]);
            for (int h = 1; h <= config.horizon() && h <= t + 1; h++) {
                double z = comb[t - h + 1][h - 1];
                double err = (zt - z) / volScale(volAt[t - h + 1], h);
                cal.adapt(h, err, config.level(), ADAPT_RATE);
                cal.record(h, err);
                if (h == 1) {
                    volAt[t + 1] = nextVolatility(volAt[t], zt - z);
                }
            }
            for (int k = 0; k < BANDS.length; k++) {
                int h = BANDS[k];
                if (h > config.horizon() || t - h + 1 < 0) {
                    continue;
                }
                boolean all = true;
                for (int i = 0; i < n && all; i++) {
                    all = !Double.isNaN(runs.get(i).paths.get(t - h + 1)[h - 1]);
                }
                for (int i = 0; i < n && all; i++) {
                    errSum[k][i] = SELECTION_DISCOUNT * errSum[k][i]
                            + Math.abs(valPart[t] - runs.get(i).paths.get(t - h + 1)[h - 1]);
                }
            }
        }
        VolumeForecaster v = new VolumeForecaster(config, kind.top, scale, transforms, models, errSum, pri,
                ownWeight, cal, volAt[valPart.length], history.length);
        // The validation forecasts whose values are still to come are pending: the first
        // values after training already count for the selection and the intervals.
        for (int j = 2; j <= config.horizon() && valPart.length - j + 1 >= 0; j++) {
            int t = valPart.length - j + 1;
            int idx = (int) Math.floorMod(history.length - j, (long) config.horizon());
            for (int i = 0; i < n; i++) {
                v.modelPending[i][idx] = runs.get(i).paths.get(t).clone();
            }
            if (t < valPart.length) {
                v.pending[idx] = comb[t].clone();
                v.pendingVol[idx] = volAt[t];
            }
        }
        return v;
    }
}
