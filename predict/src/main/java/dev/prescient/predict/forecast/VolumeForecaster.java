package dev.prescient.predict.forecast;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Access/load forecaster for one volume series (bytes read, bytes written, working set, ...).
 *
 * <p>{@link #train} fits every candidate model on the first part of the history and scores each
 * on the later part (a time split; every forecast is made before its value is seen). Models are
 * chosen separately for each horizon band, because the model that wins 30 minutes ahead (a
 * smoothed level) is rarely the one that wins a day ahead (a seasonal profile), and the choice is
 * revised after every value from discounted error sums that keep growing online, so a choice made
 * on an unrepresentative validation window (a weekend) does not last. All candidates have consumed
 * the whole history; the validation errors of the replayed selection seed the per-horizon
 * {@link IntervalCalibrator}. {@link #trainPooled} lets a group of series share selection
 * evidence.
 */
public final class VolumeForecaster {

    /**
     * @param season   daily season in steps (48 for 30-minute windows), 0 for none
     * @param weekly   weekly season in steps (336), used only when the history holds two weeks
     * @param horizon  longest forecast horizon in steps; intervals are calibrated up to it
     * @param window   errors kept per horizon for the interval quantiles
     * @param level    central interval coverage, e.g. 0.9
     */
    public record Config(int season, int weekly, int horizon, int window, double level) {
        public Config {
            if (horizon < 1 || season < 0 || weekly < 0 || window < IntervalCalibrator.MIN_ERRORS
                    || !(level > 0 && level < 1)) {
                throw new IllegalArgumentException("invalid forecaster config");
            }
        }

        /** 30-minute windows: daily 48, weekly 336, up to 24 h ahead, 90% intervals. */
        public static Config halfHourly() {
            return new Config(48, 336, 48, 336, 0.9);
        }
    }

    /** A named way of fitting a model on a training prefix. */
    record Candidate(String name, Transform transform, int minHistory, Function<double[], Forecaster> fit) {
    }

    /** Share of the history used to fit candidates; the rest scores them. */
    static final double FIT_SHARE = 0.5;
    /** Horizon bands (steps) at which candidates are compared; each h uses the nearest band. */
    static final int[] BANDS = {1, 2, 4, 12, 24, 48};

    final Config config;
    /** Models averaged per horizon band. */
    final int top;
    /** Scale of the interval errors: log1p for non-negative series (errors multiplicative). */
    final Transform intervalScale;
    /** Every validated candidate; model 0 is the reference (naive or drift, simplest first). */
    final Transform[] transforms;
    final Forecaster[] models;
    /**
     * errSum[k][i]: discounted sum of model i's absolute errors BANDS[k] steps ahead (original
     * scale), from the validation replay on and updated online. Selection follows it, so a model
     * family that stops working (a weekend ends, a batch job appears) loses its place within a
     * few days instead of staying chosen by an old validation window.
     */
    final double[][] errSum;
    /** prior[k][i]: pooled log relative error of model i's candidate on other series; NaN = none. */
    final double[][] prior;
    /** Weight of the series' own errors against {@link #prior} in the selection score. */
    final double ownWeight;
    /** assign[h-1] = indices of the models averaged (on the interval scale) h steps ahead. */
    private final int[][] assign;
    final IntervalCalibrator calibrator;
    /** Combined paths (interval scale) made after each of the last {@code horizon} observations. */
    final double[][] pending;
    /** Volatility at the time each pending path was made. */
    final double[] pendingVol;
    /** Each model's paths (original scale) made after each of the last {@code horizon} observations. */
    final double[][][] modelPending;
    /**
     * Recent volatility: exponentially weighted mean of the absolute one-step error (interval
     * scale). Errors are stored divided by the volatility at their origin and intervals are
     * scaled by the current one, so intervals widen in a turbulent period and narrow in a calm
     * one instead of assuming the calibration period's noise level forever.
     */
    double vol;
    long steps;

    /** Weight of the newest one-step error in {@link #vol}: ~14 steps (7 h) half-life at 30 min. */
    static final double VOL_WEIGHT = 0.05;
    static final double VOL_FLOOR = 1e-9;
    /** Step of the adaptive interval level per recorded error ({@link IntervalCalibrator#adapt}). */
    static final double ADAPT_RATE = 0.01;
    /**
     * Discount of older errors in the selection score per new error ({@link #errSum}): a
     * half-life of ~69 errors, about 1.4 days at 30 minutes. Chosen between 1 and 0.99 on the
     * development split; see predict/docs/forecast-and-failure.md.
     */
    static final double SELECTION_DISCOUNT = 0.99;
    /**
     * Weight of a series' own validation errors against its group's in {@link #trainPooled} as
     * the harness uses it. 1 (no pooling): with the online selection in place, 0.75/0.5/0.25 did
     * not improve the development split (predict/docs/forecast-and-failure.md).
     */
    public static final double POOLED_OWN_WEIGHT = 1.0;

    VolumeForecaster(Config config, int top, Transform intervalScale, Transform[] transforms,
            Forecaster[] models, double[][] errSum, double[][] prior, double ownWeight, IntervalCalibrator calibrator,
            double vol, long steps) {
        this.config = config;
        this.top = top;
        this.intervalScale = intervalScale;
        this.transforms = transforms;
        this.models = models;
        this.errSum = errSum;
        this.prior = prior;
        this.ownWeight = ownWeight;
        this.assign = new int[config.horizon()][];
        this.calibrator = calibrator;
        this.pending = new double[config.horizon()][];
        this.pendingVol = new double[config.horizon()];
        this.modelPending = new double[models.length][config.horizon()][];
        this.vol = Math.max(VOL_FLOOR, vol);
        this.steps = steps;
        select();
        if (models[0].observed() > 0) {
            remember();
        }
    }

    /**
     * Per band, the {@link #top} models with the lowest score: the blend of the log relative
     * error against model 0 and the pooled prior; the raw error where model 0 has none.
     */
    private void select() {
        int[][] perBand = selectBands(errSum, prior, ownWeight, top);
        for (int h = 1; h <= config.horizon(); h++) {
            assign[h - 1] = perBand[band(h)];
        }
    }

    static int[][] selectBands(double[][] errSum, double[][] prior, double ownWeight, int top) {
        int n = errSum[0].length;
        int[][] perBand = new int[BANDS.length][];
        for (int k = 0; k < BANDS.length; k++) {
            double ref = errSum[k][0];
            double[] score = new double[n];
            for (int i = 0; i < n; i++) {
                double e = errSum[k][i];
                if (!(ref > 0) || Double.isInfinite(ref)) {
                    score[i] = e;
                } else {
                    double own = Math.log(Math.max(e / ref, 1e-6));
                    double p = prior[k][i];
                    score[i] = Double.isNaN(p) ? own : ownWeight * own + (1 - ownWeight) * p;
                }
            }
            Integer[] order = new Integer[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            // Stable: ties keep the candidate order (simplest first).
            Arrays.sort(order, (x, y) -> Double.compare(score[x], score[y]));
            perBand[k] = new int[Math.min(top, n)];
            for (int i = 0; i < perBand[k].length; i++) {
                perBand[k][i] = order[i];
            }
        }
        return perBand;
    }

    /** What the series is, which decides the candidates and how many are averaged. */
    public enum Kind {
        /**
         * Access and load: level, seasonal and smoothing candidates, top 5 averaged (of 8 on a
         * short history, 12 once Holt-Winters fits). 5 was chosen among 3, 4, 5, 6, 8 on the
         * development split: the wider average is steadier when selection evidence is short.
         */
        LOAD(5),
        /** Used bytes and working set: candidates that extrapolate growth, top 2 averaged. */
        CAPACITY(2);

        final int top;

        Kind(int top) {
            this.top = top;
        }
    }

    /** Candidates for the configuration, on both scales when the series is non-negative. */
    static List<Candidate> candidates(Config c, boolean nonNegative, Kind kind) {
        List<Candidate> list = new ArrayList<>();
        if (kind == Kind.CAPACITY) {
            // Growth is additive in bytes for a filling volume: identity scale only.
            list.add(new Candidate("drift", Transform.IDENTITY, 2, y -> primed(new Drift(), y)));
            list.add(new Candidate("holt-linear", Transform.IDENTITY, HoltWinters.minHistory(0),
                    y -> HoltWinters.fit(y, 0, true, false)));
            list.add(new Candidate("holt-damped", Transform.IDENTITY, HoltWinters.minHistory(0),
                    y -> HoltWinters.fit(y, 0, true)));
            if (c.season() >= 2) {
                int m = c.season();
                list.add(new Candidate("hw-linear-" + m, Transform.IDENTITY, HoltWinters.minHistory(m),
                        y -> HoltWinters.fit(y, m, true, false)));
            }
            return list;
        }
        for (Transform t : nonNegative ? Transform.values() : new Transform[] {Transform.IDENTITY}) {
            list.add(new Candidate("naive", t, 1, y -> primed(SeasonalNaive.naive(), y)));
            list.add(new Candidate("ses", t, HoltWinters.minHistory(0), y -> HoltWinters.fit(y, 0, false)));
            list.add(new Candidate("holt-damped", t, HoltWinters.minHistory(0), y -> HoltWinters.fit(y, 0, true)));
            for (int m : new int[] {c.season(), c.weekly()}) {
                if (m < 2) {
                    continue;
                }
                list.add(new Candidate("snaive-" + m, t, m, y -> primed(new SeasonalNaive(m, false), y)));
                list.add(new Candidate("hw-" + m, t, HoltWinters.minHistory(m), y -> HoltWinters.fit(y, m, false)));
                list.add(new Candidate("hw-damped-" + m, t, HoltWinters.minHistory(m),
                        y -> HoltWinters.fit(y, m, true)));
            }
        }
        return list;
    }

    private static Forecaster primed(Forecaster f, double[] y) {
        for (double v : y) {
            f.observe(v);
        }
        return f;
    }

    /** The band whose horizon is nearest to {@code h} on a log scale. */
    static int band(int h) {
        int best = 0;
        double bestDist = Double.POSITIVE_INFINITY;
        for (int k = 0; k < BANDS.length; k++) {
            double d = Math.abs(Math.log((double) h / BANDS[k]));
            if (d < bestDist) {
                bestDist = d;
                best = k;
            }
        }
        return best;
    }


    /**
     * Chooses and fits models on {@code history} (NaN = missing). Empty or very short histories
     * give a naive model whose intervals stay undefined until it has seen its own errors.
     */
    public static VolumeForecaster train(double[] history, Config config) {
        return train(history, config, Kind.LOAD);
    }

    /** As {@link #train(double[], Config)} for a series of the given kind. */
    public static VolumeForecaster train(double[] history, Config config, Kind kind) {
        Validation v = Validation.of(history, config, kind);
        return v.build(null, 1);
    }

    /**
     * Trains one forecaster per history, choosing each one's models by its own validation error
     * blended with the same candidates' errors on the other series of the group (pooled
     * selection). The series of one cluster's volumes share evidence about which model family
     * works: a single short validation window that happens to hold a weekend or an incident then
     * steers the choice less. Errors are compared across series as log relative MAE (candidate MAE
     * over the naive forecast's MAE at the same horizon band on the same series), so a busy and a
     * quiet volume weigh the same.
     *
     * @param ownWeight weight of the series' own evidence in [0, 1]; 1 gives exactly {@link #train}
     */
    public static List<VolumeForecaster> trainPooled(List<double[]> histories, Config config, Kind kind,
            double ownWeight) {
        if (!(ownWeight >= 0 && ownWeight <= 1)) {
            throw new IllegalArgumentException("ownWeight must be in [0, 1], got " + ownWeight);
        }
        List<Validation> vs = new ArrayList<>();
        for (double[] h : histories) {
            vs.add(Validation.of(h, config, kind));
        }
        // band -> candidate key -> log relative errors over the series that have them
        List<Map<String, double[]>> pooled = new ArrayList<>();
        for (int k = 0; k < BANDS.length; k++) {
            Map<String, double[]> sums = new LinkedHashMap<>();
            for (Validation v : vs) {
                for (Validation.Run r : v.runs) {
                    double lr = v.logRelative(r, k);
                    if (!Double.isNaN(lr)) {
                        double[] acc = sums.computeIfAbsent(r.key, x -> new double[2]);
                        acc[0] += lr;
                        acc[1]++;
                    }
                }
            }
            pooled.add(sums);
        }
        List<VolumeForecaster> out = new ArrayList<>();
        for (Validation v : vs) {
            double[][] prior = new double[BANDS.length][v.runs.size()];
            for (int k = 0; k < BANDS.length; k++) {
                for (int i = 0; i < v.runs.size(); i++) {
                    double[] acc = pooled.get(k).get(v.runs.get(i).key);
                    prior[k][i] = acc == null || acc[1] == 0 ? Double.NaN : acc[0] / acc[1];
                }
            }
            out.add(v.build(prior, ownWeight));
        }
        return out;
    }

    static double[][] nanPrior(int n) {
        double[][] p = new double[BANDS.length][n];
        for (double[] row : p) {
            Arrays.fill(row, Double.NaN);
        }
        return p;
    }

    /** Mean absolute step of the series (interval scale): the volatility before any forecast. */
    static double initialVolatility(double[] y, Transform scale) {
        double s = 0;
        int n = 0;
        for (int i = 1; i < y.length; i++) {
            double d = scale.forward(y[i]) - scale.forward(y[i - 1]);
            if (!Double.isNaN(d)) {
                s += Math.abs(d);
                n++;
            }
        }
        return Math.max(VOL_FLOOR, n == 0 ? VOL_FLOOR : s / n);
    }

    /**
     * How much of the recent volatility carries to horizon h: fully one step ahead, fading as
     * 1/sqrt(h), because errors a day ahead depend on the day's pattern more than on the last
     * hour's noise.
     */
    static double volScale(double vol, int h) {
        return Math.pow(vol, 1 / Math.sqrt(h));
    }

    static double nextVolatility(double vol, double oneStepError) {
        return Math.max(VOL_FLOOR, (1 - VOL_WEIGHT) * vol + VOL_WEIGHT * Math.abs(oneStepError));
    }

    /** Consumes the next value (NaN = missing), recording the errors of earlier forecasts. */
    public void observe(double y) {
        double z = intervalScale.forward(y);
        if (!Double.isNaN(z)) {
            double oneStep = Double.NaN;
            for (int h = 1; h <= config.horizon(); h++) {
                int idx = (int) Math.floorMod(steps - h, (long) pending.length);
                double[] path = pending[idx];
                if (path != null && steps - h >= -1) {
                    double err = (z - path[h - 1]) / volScale(pendingVol[idx], h);
                    calibrator.adapt(h, err, config.level(), ADAPT_RATE);
                    calibrator.record(h, err);
                    if (h == 1) {
                        oneStep = z - path[0];
                    }
                }
            }
            if (!Double.isNaN(oneStep)) {
                vol = nextVolatility(vol, oneStep);
            }
        }
        if (!Double.isNaN(y)) {
            learnSelection(y);
        }
        for (int i = 0; i < models.length; i++) {
            models[i].observe(transforms[i].forward(y));
        }
        steps++;
        select();
        remember();
    }

    /** Adds each model's error on {@code y} at every band to its discounted error sum. */
    private void learnSelection(double y) {
        for (int k = 0; k < BANDS.length; k++) {
            int h = BANDS[k];
            if (h > config.horizon() || steps - h < -1) {
                continue;
            }
            int idx = (int) Math.floorMod(steps - h, (long) pending.length);
            // Only when every model made a forecast then (not across a restore), so the sums stay comparable.
            boolean all = true;
            for (double[][] mp : modelPending) {
                all &= mp[idx] != null && !Double.isNaN(mp[idx][h - 1]);
            }
            if (!all) {
                continue;
            }
            for (int i = 0; i < models.length; i++) {
                errSum[k][i] = SELECTION_DISCOUNT * errSum[k][i] + Math.abs(y - modelPending[i][idx][h - 1]);
            }
        }
    }

    private void remember() {
        int idx = (int) Math.floorMod(steps - 1, (long) pending.length);
        double[][] paths = modelPaths(config.horizon());
        if (models[0].observed() == 0) {
            for (double[] p : paths) {
                Arrays.fill(p, Double.NaN);
            }
        }
        for (int i = 0; i < models.length; i++) {
            modelPending[i][idx] = paths[i];
        }
        double[] p = combine(paths, config.horizon());
        for (int i = 0; i < p.length; i++) {
            p[i] = intervalScale.forward(p[i]);
        }
        pending[idx] = p;
        pendingVol[idx] = vol;
    }

    /** Each model's forecast on the original scale. */
    private double[][] modelPaths(int horizon) {
        double[][] paths = new double[models.length][];
        for (int i = 0; i < models.length; i++) {
            paths[i] = models[i].forecast(horizon);
            for (int j = 0; j < horizon; j++) {
                paths[i][j] = transforms[i].inverse(paths[i][j]);
            }
        }
        return paths;
    }

    /** Point forecasts on the original scale for 1..horizon steps ahead (NaN before any data). */
    public double[] pointPath(int horizon) {
        if (models[0].observed() == 0) {
            double[] out = new double[horizon];
            Arrays.fill(out, Double.NaN);
            return out;
        }
        return combine(modelPaths(horizon), horizon);
    }

    private double[] combine(double[][] paths, int horizon) {
        double[] out = new double[horizon];
        for (int h = 1; h <= horizon; h++) {
            int[] ms = assign[Math.min(h, config.horizon()) - 1];
            if (ms.length == 1) {
                out[h - 1] = paths[ms[0]][h - 1];
                continue;
            }
            double z = 0;
            for (int m : ms) {
                z += intervalScale.forward(paths[m][h - 1]) / ms.length;
            }
            out[h - 1] = intervalScale.inverse(z);
        }
        return out;
    }

    /** Forecast for 1..{@code horizon} steps with the configured interval level. */
    public Forecast forecast(int horizon) {
        if (horizon < 1) {
            throw new IllegalArgumentException("horizon must be >= 1");
        }
        double[] point = pointPath(horizon);
        double[] lo = new double[horizon];
        double[] hi = new double[horizon];
        for (int h = 1; h <= horizon; h++) {
            double[] off = offsets(h);
            double z = intervalScale.forward(point[h - 1]);
            lo[h - 1] = intervalScale.inverse(z + off[0]);
            hi[h - 1] = intervalScale.inverse(z + off[1]);
        }
        return new Forecast(point, lo, hi, config.level());
    }

    private double[] offsets(int h) {
        int h0 = Math.min(h, config.horizon());
        double[] off = calibrator.offsets(h0, config.level());
        // Beyond the calibrated horizon, widen like a random walk: a stated assumption.
        double s = volScale(vol, h0) * (h > h0 ? Math.sqrt((double) h / h0) : 1);
        return new double[] {off[0] * s, off[1] * s};
    }

    /**
     * Probability that the value {@code h} steps ahead is at least {@code value}, from the same
     * empirical errors as the intervals; NaN while they are not calibrated.
     */
    public double probabilityAtLeast(double value, int h) {
        double point = pointPath(h)[h - 1];
        if (Double.isNaN(point)) {
            return Double.NaN;
        }
        int h0 = Math.min(h, config.horizon());
        double need = intervalScale.forward(value) - intervalScale.forward(point);
        double scale = volScale(vol, h0) * (h > h0 ? Math.sqrt((double) h / h0) : 1);
        return calibrator.fractionAtLeast(h0, need / scale);
    }

    /** Names of the averaged models by horizon range, e.g. {@code 1-3:ses@log+naive 4-48:hw-48}. */
    public String modelName() {
        StringBuilder sb = new StringBuilder();
        int start = 1;
        for (int h = 2; h <= config.horizon() + 1; h++) {
            if (h > config.horizon() || !Arrays.equals(assign[h - 1], assign[start - 1])) {
                if (sb.length() > 0) {
                    sb.append(' ');
                }
                if (start > 1 || h <= config.horizon()) {
                    sb.append(start).append('-').append(h - 1).append(':');
                }
                int[] ms = assign[start - 1];
                for (int i = 0; i < ms.length; i++) {
                    sb.append(i > 0 ? "+" : "").append(models[ms[i]].name())
                            .append(transforms[ms[i]] == Transform.LOG1P ? "@log" : "");
                }
                start = h;
            }
        }
        return sb.toString();
    }

    public Config config() {
        return config;
    }

    public long observed() {
        return steps;
    }

    /** Copy of the discounted selection errors [band][model], for tests. */
    double[][] selectionErrors() {
        return deepCopy(errSum);
    }

    IntervalCalibrator calibrator() {
        return calibrator;
    }

    public VolumeForecaster copy() {
        Forecaster[] m = new Forecaster[models.length];
        for (int i = 0; i < m.length; i++) {
            m[i] = models[i].copy();
        }
        VolumeForecaster c = new VolumeForecaster(config, top, intervalScale, transforms.clone(), m, deepCopy(errSum),
                deepCopy(prior), ownWeight, calibrator.copy(), vol, steps);
        for (int i = 0; i < pending.length; i++) {
            c.pending[i] = pending[i] == null ? null : pending[i].clone();
            c.pendingVol[i] = pendingVol[i];
            for (int j = 0; j < models.length; j++) {
                c.modelPending[j][i] = modelPending[j][i] == null ? null : modelPending[j][i].clone();
            }
        }
        return c;
    }

    private static double[][] deepCopy(double[][] a) {
        double[][] c = new double[a.length][];
        for (int i = 0; i < a.length; i++) {
            c[i] = a[i].clone();
        }
        return c;
    }

    /** Writes the state {@link VolumeForecasterState} reads back (the persisted model format). */
    void writeState(DataOutput out) throws IOException {
        VolumeForecasterState.write(this, out);
    }

    static VolumeForecaster readState(DataInput in) throws IOException {
        return VolumeForecasterState.read(in);
    }

}
