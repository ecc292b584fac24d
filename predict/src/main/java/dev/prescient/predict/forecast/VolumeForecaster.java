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
 * on the later part (a time split; every forecast is made before its value is seen). The best
 * candidate is chosen separately for each horizon band, because the model that wins 30 minutes
 * ahead (a smoothed level) is rarely the one that wins a day ahead (a seasonal profile). The
 * chosen models have consumed the whole history, and the validation errors of the combined path
 * seed the per-horizon {@link IntervalCalibrator}. From then on every {@link #observe} updates
 * the model states and the interval calibration.
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

    private final Config config;
    /** Scale of the interval errors: log1p for non-negative series (errors multiplicative). */
    private final Transform intervalScale;
    private final Transform[] transforms;
    private final Forecaster[] models;
    /** assign[h-1] = indices of the models averaged (on the interval scale) h steps ahead. */
    private final int[][] assign;
    private final IntervalCalibrator calibrator;
    /** Combined paths (interval scale) made after each of the last {@code horizon} observations. */
    private final double[][] pending;
    /** Volatility at the time each pending path was made. */
    private final double[] pendingVol;
    /**
     * Recent volatility: exponentially weighted mean of the absolute one-step error (interval
     * scale). Errors are stored divided by the volatility at their origin and intervals are
     * scaled by the current one, so intervals widen in a turbulent period and narrow in a calm
     * one instead of assuming the calibration period's noise level forever.
     */
    private double vol;
    private long steps;

    /** Weight of the newest one-step error in {@link #vol}: ~14 steps (7 h) half-life at 30 min. */
    static final double VOL_WEIGHT = 0.05;
    static final double VOL_FLOOR = 1e-9;
    /** Step of the adaptive interval level per recorded error ({@link IntervalCalibrator#adapt}). */
    static final double ADAPT_RATE = 0.01;

    private VolumeForecaster(Config config, Transform intervalScale, Transform[] transforms, Forecaster[] models,
            int[][] assign, IntervalCalibrator calibrator, double vol, long steps) {
        this.config = config;
        this.intervalScale = intervalScale;
        this.transforms = transforms;
        this.models = models;
        this.assign = assign;
        this.calibrator = calibrator;
        this.pending = new double[config.horizon()][];
        this.pendingVol = new double[config.horizon()];
        this.vol = Math.max(VOL_FLOOR, vol);
        this.steps = steps;
        if (models[0].observed() > 0) {
            remember();
        }
    }

    /** What the series is, which decides the candidates and how many are averaged. */
    public enum Kind {
        /** Access and load: level, seasonal and smoothing candidates, top 3 averaged. */
        LOAD(3),
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

    /**
     * Chooses and fits models on {@code history} (NaN = missing). Empty or very short histories
     * give a naive model whose intervals stay undefined until it has seen its own errors.
     */
    public static VolumeForecaster train(double[] history, Config config) {
        return train(history, config, Kind.LOAD);
    }

    /** As {@link #train(double[], Config)} for a series of the given kind. */
    public static VolumeForecaster train(double[] history, Config config, Kind kind) {
        Validation v = validate(history, config, kind);
        return v.build(v.ownSelection());
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
            vs.add(validate(h, config, kind));
        }
        // band -> candidate key -> log relative errors over the series that have them
        List<Map<String, double[]>> pooled = new ArrayList<>();
        for (int k = 0; k < BANDS.length; k++) {
            Map<String, double[]> sums = new LinkedHashMap<>();
            for (Validation v : vs) {
                for (Run r : v.runs) {
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
            out.add(v.build(v.selection((r, k) -> {
                double own = v.logRelative(r, k);
                if (Double.isNaN(own)) {
                    return Double.NaN;
                }
                double[] acc = pooled.get(k).get(r.key);
                double pool = acc == null || acc[1] == 0 ? own : acc[0] / acc[1];
                return ownWeight * own + (1 - ownWeight) * pool;
            })));
        }
        return out;
    }

    /** Validates every candidate of one series; the evidence from which models are chosen. */
    static Validation validate(double[] history, Config config, Kind kind) {
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

    /** Scores a run at a band; lower is better, NaN = no evidence. */
    interface Score {
        double of(Run run, int band);
    }

    /** The candidates of one series replayed over its validation part. */
    static final class Validation {
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

        /** Top runs per band by the series' own validation MAE. */
        int[][] ownSelection() {
            return selection((r, k) -> r.mae[k]);
        }

        /**
         * Per band, the {@code kind.top} runs with the lowest score; where the score is undefined
         * for every run, by the own MAE; where that is too, the previous band's choice.
         */
        int[][] selection(Score score) {
            int[][] topPerBand = new int[BANDS.length][];
            for (int k = 0; k < BANDS.length; k++) {
                final int band = k;
                int[] top = top(r -> score.of(r, band));
                if (top.length == 0) {
                    top = top(r -> r.mae[band]);
                }
                topPerBand[k] = top.length > 0 ? top : k > 0 ? topPerBand[k - 1] : new int[] {0};
            }
            return topPerBand;
        }

        private int[] top(java.util.function.ToDoubleFunction<Run> score) {
            List<Integer> order = new ArrayList<>();
            double[] s = new double[runs.size()];
            for (int r = 0; r < runs.size(); r++) {
                s[r] = score.applyAsDouble(runs.get(r));
                if (!Double.isNaN(s[r])) {
                    order.add(r);
                }
            }
            // Stable sort: ties keep the candidate order (simplest first).
            order.sort((a, b) -> Double.compare(s[a], s[b]));
            return order.subList(0, Math.min(kind.top, order.size())).stream().mapToInt(i -> i).toArray();
        }

        /** Fits the forecaster that averages, per band, the given runs. */
        VolumeForecaster build(int[][] topPerBand) {
            if (runs.isEmpty()) {
                Forecaster naive = SeasonalNaive.naive();
                VolumeForecaster v = new VolumeForecaster(config, scale, new Transform[] {Transform.IDENTITY},
                        new Forecaster[] {naive}, single(config.horizon()),
                        new IntervalCalibrator(config.horizon(), config.window()), VOL_FLOOR, 0);
                for (double y : history) {
                    v.observe(y);
                }
                return v;
            }
            Map<Integer, Integer> used = new LinkedHashMap<>();
            int[][] assign = new int[config.horizon()][];
            for (int h = 1; h <= config.horizon(); h++) {
                int[] top = topPerBand[band(h)];
                assign[h - 1] = new int[top.length];
                for (int i = 0; i < top.length; i++) {
                    assign[h - 1][i] = used.computeIfAbsent(top[i], x -> used.size());
                }
            }
            Transform[] transforms = new Transform[used.size()];
            Forecaster[] models = new Forecaster[used.size()];
            for (Map.Entry<Integer, Integer> e : used.entrySet()) {
                // A copy: the same validation may build more than one forecaster.
                transforms[e.getValue()] = runs.get(e.getKey()).transform;
                models[e.getValue()] = runs.get(e.getKey()).model.copy();
            }
            IntervalCalibrator cal = new IntervalCalibrator(config.horizon(), config.window());
            // Seed the intervals with the combined path's out-of-sample validation errors, each
            // divided by the volatility known when its forecast was made.
            double[] volAt = new double[valPart.length + 1];
            volAt[0] = initialVolatility(fitPart, scale);
            for (int t = 0; t < valPart.length; t++) {
                volAt[t + 1] = volAt[t];
                if (Double.isNaN(valPart[t])) {
                    continue;
                }
                double zt = scale.forward(valPart[t]);
                for (int h = 1; h <= config.horizon() && h <= t + 1; h++) {
                    double z = 0;
                    int[] top = topPerBand[band(h)];
                    for (int r : top) {
                        z += scale.forward(runs.get(r).paths.get(t - h + 1)[h - 1]) / top.length;
                    }
                    double err = (zt - z) / volScale(volAt[t - h + 1], h);
                    cal.adapt(h, err, config.level(), ADAPT_RATE);
                    cal.record(h, err);
                    if (h == 1) {
                        volAt[t + 1] = nextVolatility(volAt[t], zt - z);
                    }
                }
            }
            return new VolumeForecaster(config, scale, transforms, models, assign, cal, volAt[valPart.length],
                    history.length);
        }
    }

    /** Mean absolute step of the series (interval scale): the volatility before any forecast. */
    private static double initialVolatility(double[] y, Transform scale) {
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

    private static double nextVolatility(double vol, double oneStepError) {
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
        for (int i = 0; i < models.length; i++) {
            models[i].observe(transforms[i].forward(y));
        }
        steps++;
        remember();
    }

    private void remember() {
        double[] p = pointPath(config.horizon());
        for (int i = 0; i < p.length; i++) {
            p[i] = intervalScale.forward(p[i]);
        }
        int idx = (int) Math.floorMod(steps - 1, (long) pending.length);
        pending[idx] = p;
        pendingVol[idx] = vol;
    }

    /** Point forecasts on the original scale for 1..horizon steps ahead (NaN before any data). */
    public double[] pointPath(int horizon) {
        double[] out = new double[horizon];
        if (models[0].observed() == 0) {
            Arrays.fill(out, Double.NaN);
            return out;
        }
        double[][] paths = new double[models.length][];
        for (int i = 0; i < models.length; i++) {
            paths[i] = models[i].forecast(horizon);
        }
        for (int h = 1; h <= horizon; h++) {
            int[] ms = assign[Math.min(h, config.horizon()) - 1];
            if (ms.length == 1) {
                out[h - 1] = transforms[ms[0]].inverse(paths[ms[0]][h - 1]);
                continue;
            }
            double z = 0;
            for (int m : ms) {
                z += intervalScale.forward(transforms[m].inverse(paths[m][h - 1])) / ms.length;
            }
            out[h - 1] = intervalScale.inverse(z);
        }
        return out;
    }

    private static int[][] single(int horizon) {
        int[][] a = new int[horizon][];
        for (int h = 0; h < horizon; h++) {
            a[h] = new int[] {0};
        }
        return a;
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

    IntervalCalibrator calibrator() {
        return calibrator;
    }

    public VolumeForecaster copy() {
        Forecaster[] m = new Forecaster[models.length];
        for (int i = 0; i < m.length; i++) {
            m[i] = models[i].copy();
        }
        int[][] a = new int[assign.length][];
        for (int i = 0; i < a.length; i++) {
            a[i] = assign[i].clone();
        }
        VolumeForecaster c = new VolumeForecaster(config, intervalScale, transforms.clone(), m, a,
                calibrator.copy(), vol, steps);
        for (int i = 0; i < pending.length; i++) {
            c.pending[i] = pending[i] == null ? null : pending[i].clone();
            c.pendingVol[i] = pendingVol[i];
        }
        return c;
    }

    void writeState(DataOutput out) throws IOException {
        out.writeInt(config.season());
        out.writeInt(config.weekly());
        out.writeInt(config.horizon());
        out.writeInt(config.window());
        out.writeDouble(config.level());
        out.writeByte(intervalScale.ordinal());
        out.writeLong(steps);
        out.writeDouble(vol);
        out.writeByte(models.length);
        for (int i = 0; i < models.length; i++) {
            out.writeByte(transforms[i].ordinal());
            ForecasterCodec.writeForecaster(models[i], out);
        }
        for (int[] a : assign) {
            out.writeByte(a.length);
            for (int m : a) {
                out.writeByte(m);
            }
        }
        calibrator.writeState(out);
    }

    private static Transform transform(int ordinal) throws ModelStateException {
        if (ordinal < 0 || ordinal >= Transform.values().length) {
            throw new ModelStateException("unknown transform " + ordinal);
        }
        return Transform.values()[ordinal];
    }

    static VolumeForecaster readState(DataInput in) throws IOException {
        Config c;
        try {
            c = new Config(in.readInt(), in.readInt(), in.readInt(), in.readInt(), in.readDouble());
        } catch (IllegalArgumentException e) {
            throw new ModelStateException("corrupt forecaster config");
        }
        if (c.horizon() > 100_000) {
            throw new ModelStateException("corrupt forecaster horizon " + c.horizon());
        }
        Transform scale = transform(in.readByte());
        long steps = in.readLong();
        double vol = in.readDouble();
        if (!(vol > 0) || Double.isInfinite(vol)) {
            throw new ModelStateException("corrupt forecaster volatility " + vol);
        }
        int n = in.readByte();
        if (n < 1) {
            throw new ModelStateException("forecaster state without models");
        }
        Transform[] transforms = new Transform[n];
        Forecaster[] models = new Forecaster[n];
        for (int i = 0; i < n; i++) {
            transforms[i] = transform(in.readByte());
            models[i] = ForecasterCodec.readForecaster(in);
        }
        int[][] assign = new int[c.horizon()][];
        for (int h = 0; h < assign.length; h++) {
            int k = in.readByte();
            if (k < 1) {
                throw new ModelStateException("horizon without models");
            }
            assign[h] = new int[k];
            for (int i = 0; i < k; i++) {
                assign[h][i] = in.readByte();
                if (assign[h][i] < 0 || assign[h][i] >= n) {
                    throw new ModelStateException("horizon assigned to unknown model " + assign[h][i]);
                }
            }
        }
        IntervalCalibrator cal = IntervalCalibrator.readState(in);
        if (cal.horizon() != c.horizon()) {
            throw new ModelStateException("calibrator horizon does not match config");
        }
        // Pending paths are not stored: errors of forecasts made before a restart are not
        // recorded, a bounded loss of at most one horizon of calibration samples.
        return new VolumeForecaster(c, scale, transforms, models, assign, cal, vol, steps);
    }
}
