package dev.prescient.operator.telemetry;

import dev.prescient.predict.forecast.CapacityForecaster;
import dev.prescient.predict.forecast.Forecast;
import dev.prescient.predict.forecast.VolumeForecaster;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-volume telemetry history resampled to a fixed step (30 minutes by default, the forecasters' design point)
 * and predict's forecasters fed from it: a {@link CapacityForecaster} on used bytes and a {@link VolumeForecaster}
 * on the access heat. The planner passes come at the policy's evaluation interval; several samples in one step
 * collapse into one (used bytes: the last; access: the largest), a step without a sample is missing (NaN).
 *
 * <p>Training (model choice by validation error) costs milliseconds per series, so it is budgeted per pass: when
 * ten thousand volumes reach the minimum history in the same step, they are trained over several passes instead
 * of stalling one. Between trainings the models learn online, one observation per step.
 */
public final class VolumeForecasts {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(VolumeForecasts.class);

    /** A forecast as reported: point and interval at {@code horizon} ahead; bounds NaN until calibrated. */
    public record Outlook(double value, double lower, double upper, double level, Duration horizon, String model,
                          int samples) {

        public boolean calibrated() {
            return !Double.isNaN(lower) && !Double.isNaN(upper);
        }
    }

    /** Tunables; {@link #defaults()} matches application.properties. */
    public record Config(Duration step, int minSamples, int keep, int retrainEvery, int trainBudgetPerPass,
                         double level, Duration day) {
        public Config {
            if (step.isNegative() || step.isZero() || minSamples < 4 || keep < minSamples || retrainEvery < 1
                    || trainBudgetPerPass < 1 || !(level > 0 && level < 1) || day.isNegative() || day.isZero()) {
                throw new IllegalArgumentException("invalid forecast config: step > 0, minSamples >= 4, keep >= "
                        + "minSamples, retrainEvery >= 1, trainBudgetPerPass >= 1, 0 < level < 1, day > 0");
            }
        }

        /** A real day's season. */
        public Config(Duration step, int minSamples, int keep, int retrainEvery, int trainBudgetPerPass,
                      double level) {
            this(step, minSamples, keep, retrainEvery, trainBudgetPerPass, level, Duration.ofDays(1));
        }

        public static Config defaults() {
            return new Config(Duration.ofMinutes(30), 8, 96, 48, 200, 0.9);
        }
    }

    /** Committed steps persisted per volume: enough to retrain (a day at 30 min), small enough for 10k volumes. */
    static final int PERSISTED = 48;

    /**
     * Calibrated horizons (steps) and errors kept per horizon. Beyond the calibrated horizon the forecaster widens
     * the interval like a random walk (predict's stated assumption). The calibrator holds horizon x window doubles
     * per model, so these bound the memory at 10,000 volumes (two models each); the scale bench prints it.
     */
    static final int CAPACITY_CALIBRATED_STEPS = 8;
    static final int ACCESS_CALIBRATED_STEPS = 4;
    static final int ERROR_WINDOW = 16;

    private static final class Series {
        final double[] values;
        int count;
        long bucket = Long.MIN_VALUE;
        double pending = Double.NaN;
        int sinceTraining;
        /** Committed values the model has not consumed yet. */
        int unfed;

        Series(int keep) {
            values = new double[keep];
        }

        void append(double v) {
            if (count == values.length) {
                System.arraycopy(values, 1, values, 0, values.length - 1);
                count--;
            }
            values[count++] = v;
        }

        double[] history() {
            return Arrays.copyOf(values, count);
        }
    }

    private static final class State {
        final Series used;
        final Series access;
        CapacityForecaster capacity;
        VolumeForecaster load;
        /** The access forecast against "same time a day earlier". */
        final SeasonalGuard guard = new SeasonalGuard();

        State(int keep) {
            used = new Series(keep);
            access = new Series(keep);
        }
    }

    private final Config config;
    private final Map<String, State> states = new ConcurrentHashMap<>();
    private int budget;

    public VolumeForecasts(Config config) {
        this.config = config;
        this.budget = config.trainBudgetPerPass();
    }

    public Config config() {
        return config;
    }

    /** Starts a planner pass: refills the training budget. */
    public synchronized void beginPass() {
        budget = config.trainBudgetPerPass();
    }

    /** Records one pass's sample for the volume. */
    public synchronized void observe(String volume, Instant at, long usedBytes, double accessHeat) {
        State s = states.computeIfAbsent(volume, k -> new State(config.keep()));
        long bucket = Math.floorDiv(at.toEpochMilli(), config.step().toMillis());
        // Every pass may train (a volume that missed the budget gets it a pass later, not a step later); new
        // values reach an existing model only when a step is committed.
        sample(s.used, bucket, usedBytes, false);
        long step = s.access.bucket;
        double value = s.access.pending;
        if (sample(s.access, bucket, accessHeat, true)) {
            s.guard.observed(step, value);
        }
        s.capacity = feedOrTrain(s.used, s.capacity, h -> CapacityForecaster.train(h,
                forecasterConfig(CAPACITY_CALIBRATED_STEPS)), (m, v) -> m.observe(v));
        s.load = feedOrTrain(s.access, s.load, h -> VolumeForecaster.train(h,
                forecasterConfig(ACCESS_CALIBRATED_STEPS), VolumeForecaster.Kind.LOAD), (m, v) -> m.observe(v));
    }

    /**
     * Puts the sample into its step. When a new step begins, the finished one is committed to the history (with
     * NaN for skipped steps, at most a full history of them). Returns whether something was committed.
     */
    private boolean sample(Series s, long bucket, double v, boolean max) {
        if (s.bucket == Long.MIN_VALUE) {
            s.bucket = bucket;
            s.pending = v;
            return false;
        }
        if (bucket <= s.bucket) {
            // Same step (or a clock that went back): the step keeps one value.
            s.pending = max ? Math.max(s.pending, v) : v;
            return false;
        }
        s.append(s.pending);
        s.sinceTraining++;
        s.unfed++;
        long gap = Math.min(bucket - s.bucket - 1, s.values.length);
        for (long i = 0; i < gap; i++) {
            s.append(Double.NaN);
            s.sinceTraining++;
            s.unfed++;
        }
        s.pending = v;
        s.bucket = bucket;
        return true;
    }

    private interface Trainer<M> {
        M train(double[] history);
    }

    private interface Feeder<M> {
        void feed(M model, double value);
    }

    private <M> M feedOrTrain(Series s, M model, Trainer<M> trainer, Feeder<M> feeder) {
        boolean due = s.count >= config.minSamples() && (model == null || s.sinceTraining >= config.retrainEvery());
        if (due && budget > 0) {
            budget--;
            s.sinceTraining = 0;
            s.unfed = 0;
            return trainer.train(s.history());
        }
        if (model != null && s.unfed > 0) {
            // Online between trainings: the values committed since the model last saw the series (NaN for gaps).
            for (int i = s.count - Math.min(s.unfed, s.count); i < s.count; i++) {
                feeder.feed(model, s.values[i]);
            }
            s.unfed = 0;
        }
        return model;
    }

    /** The daily season in steps follows the planner's day (prescient.planner.day-length), compressed or not. */
    VolumeForecaster.Config forecasterConfig(int calibratedSteps) {
        int perDay = (int) Math.max(1, config.day().toMillis() / config.step().toMillis());
        int season = perDay >= 2 && perDay <= 96 ? perDay : 0;
        // A weekly season needs two weeks of history, more than is kept: left out rather than never fitted.
        int weekly = season > 0 && 14L * perDay <= config.keep() ? 7 * perDay : 0;
        return new VolumeForecaster.Config(season, weekly, calibratedSteps, ERROR_WINDOW, config.level());
    }

    private int steps(Duration horizon) {
        long s = (horizon.toMillis() + config.step().toMillis() - 1) / config.step().toMillis();
        return (int) Math.max(1, Math.min(s, 10_000));
    }

    /**
     * As {@link #capacity(String, Duration)}, within physical bounds: a volume of {@code sizeBytes} never holds
     * less than 0 or more than its size (a model extrapolating growth would otherwise print 1e300 MiB).
     */
    public synchronized Outlook capacity(String volume, Duration horizon, long sizeBytes) {
        Outlook o = capacity(volume, horizon);
        if (o == null || sizeBytes <= 0) {
            return o;
        }
        double max = sizeBytes;
        boolean clamped = o.value() > max || o.upper() > max || o.value() < 0 || o.lower() < 0;
        return new Outlook(bound(o.value(), max), bound(o.lower(), max), bound(o.upper(), max), o.level(),
                o.horizon(), clamped ? o.model() + " (clamped to the volume's size)" : o.model(), o.samples());
    }

    private static double bound(double v, double max) {
        return Double.isNaN(v) ? v : Math.max(0, Math.min(v, max));
    }

    /** Used bytes {@code horizon} ahead with its interval, or null before the volume has a trained model. */
    public synchronized Outlook capacity(String volume, Duration horizon) {
        State s = states.get(volume);
        if (s == null || s.capacity == null) {
            return null;
        }
        int h = steps(horizon);
        Forecast f = s.capacity.forecast(h);
        // The highest upper bound on the way: growth that peaks and recedes inside the horizon still needs room.
        double upper = Double.NaN;
        for (int i = 1; i <= h; i++) {
            if (!Double.isNaN(f.upper(i))) {
                upper = Double.isNaN(upper) ? f.upper(i) : Math.max(upper, f.upper(i));
            }
        }
        return new Outlook(f.point(h), f.lower(h), upper, f.level(), horizon, s.capacity.modelName(), s.used.count);
    }

    /**
     * Access heat {@code lead} ahead with its interval, or null before the volume has a trained model. While "the
     * same time a day earlier" has been the better forecast of this volume lately ({@link SeasonalGuard}), that is
     * what is published, with an interval from its own errors.
     */
    public synchronized Outlook access(String volume, Duration lead) {
        State s = states.get(volume);
        if (s == null || s.load == null) {
            return null;
        }
        int h = steps(lead);
        Forecast f = s.load.forecast(h);
        // Within physical bounds: 0 to a multiple of the highest rate the volume served (ForecastBounds).
        double peak = ForecastBounds.peak(s.access.history(), s.access.pending);
        double point = f.point(h);
        double clamped = ForecastBounds.clamp(point, peak);
        String model = clamped < point ? s.load.modelName() + String.format(java.util.Locale.ROOT,
                " (clamped from %.3g to %.0fx the observed peak %.3g)", point, ForecastBounds.PEAK_MULTIPLE, peak)
                : s.load.modelName();
        // The model has seen every committed step, so h steps ahead is step (current - 1 + h).
        long target = s.access.bucket - 1 + h;
        double baseline = dayEarlier(s.access, target);
        s.guard.published(target, clamped, baseline);
        if (!Double.isNaN(baseline) && s.guard.baselineWins()) {
            double[] band = s.guard.baselineInterval(baseline, f.level());
            double[] mae = s.guard.meanErrors();
            return new Outlook(ForecastBounds.clamp(baseline, peak), ForecastBounds.clamp(band[0], peak),
                    ForecastBounds.clamp(band[1], peak), f.level(), lead, String.format(java.util.Locale.ROOT,
                    "same time a day earlier (its recent error %.3g, the model's %.3g, over %d)", mae[1], mae[0],
                    s.guard.resolved()), s.access.count);
        }
        return new Outlook(clamped, ForecastBounds.clamp(f.lower(h), peak), ForecastBounds.clamp(f.upper(h), peak),
                f.level(), lead, model, s.access.count);
    }

    /** The committed value one planner day before {@code step}, NaN when not kept (or no daily season). */
    private double dayEarlier(Series s, long step) {
        int season = forecasterConfig(ACCESS_CALIBRATED_STEPS).season();
        if (season == 0) {
            return Double.NaN;
        }
        long first = s.bucket - s.count;
        long i = step - season - first;
        return i >= 0 && i < s.count ? s.values[(int) i] : Double.NaN;
    }

    /** Committed samples of used bytes for the volume (for status and tests). */
    public synchronized int samples(String volume) {
        State s = states.get(volume);
        return s == null ? 0 : s.used.count;
    }

    /** Drops volumes that no longer exist. */
    public synchronized void retain(java.util.Set<String> volumes) {
        states.keySet().retainAll(volumes);
    }

    /**
     * The used-bytes history per volume (float32, base64) for the ConfigMap; the access history and the models are
     * relearnt after a restart (retraining from the restored history is cheap, storing models is not: ~60 KiB each).
     */
    public synchronized Map<String, String> export() {
        Map<String, String> out = new HashMap<>();
        Base64.Encoder b64 = Base64.getEncoder();
        states.forEach((k, s) -> {
            if (s.used.bucket == Long.MIN_VALUE) {
                return;
            }
            // The last day of committed values, then the current step's value (which belongs to step bucket).
            int from = Math.max(0, s.used.count - PERSISTED);
            ByteBuffer b = ByteBuffer.allocate(8 + 4 * (s.used.count - from + 1));
            b.putLong(s.used.bucket);
            for (int i = from; i < s.used.count; i++) {
                b.putFloat((float) s.used.values[i]);
            }
            b.putFloat((float) s.used.pending);
            out.put(k, b64.encodeToString(b.array()));
        });
        return out;
    }

    public synchronized int restore(Map<String, String> state) {
        int n = 0;
        for (Map.Entry<String, String> e : state.entrySet()) {
            try {
                ByteBuffer b = ByteBuffer.wrap(Base64.getDecoder().decode(e.getValue()));
                if (b.remaining() < 12 || (b.remaining() - 8) % 4 != 0) {
                    continue;
                }
                State s = new State(config.keep());
                long bucket = b.getLong();
                while (b.hasRemaining()) {
                    s.used.append(b.getFloat());
                }
                s.used.bucket = bucket;
                s.used.pending = s.used.values[s.used.count - 1];
                s.used.count--;
                s.used.sinceTraining = config.retrainEvery();
                states.put(e.getKey(), s);
                n++;
            } catch (IllegalArgumentException | java.nio.BufferUnderflowException ex) {
                // A corrupt entry: that volume relearns.
                LOG.warnf("volume forecasts: state entry %s unreadable, that volume relearns: %s", e.getKey(), ex);
            }
        }
        return n;
    }
}
