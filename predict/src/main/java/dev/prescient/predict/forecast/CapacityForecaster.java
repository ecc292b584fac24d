package dev.prescient.predict.forecast;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Forecast of a capacity series (used bytes, or working-set bytes) with the time until it reaches
 * a threshold, so that pre-mirroring to a node with room can start before the growth arrives.
 * One instance per series and volume; the models are the growth candidates of
 * {@link VolumeForecaster.Kind#CAPACITY} (drift, linear and damped trend, linear trend with a
 * daily season, so a daily working-set peak counts, not just the trend), chosen by validation
 * error.
 */
public final class CapacityForecaster {

    /**
     * Steps until the threshold is reached: {@code earliest} by the upper interval bound
     * (act by then to be safe at the interval level), {@code expected} by the point forecast,
     * {@code latest} by the lower bound (reached even in the optimistic case). -1 = not within
     * the searched horizon. {@code probability} is the chance of having reached it by the end
     * of that horizon (max over the path of the per-step exceedance probability).
     */
    public record Crossing(int earliest, int expected, int latest, double probability, double level) {
        public boolean possible() {
            return earliest >= 0;
        }
    }

    private final VolumeForecaster forecaster;

    private CapacityForecaster(VolumeForecaster forecaster) {
        this.forecaster = forecaster;
    }

    public static CapacityForecaster train(double[] history, VolumeForecaster.Config config) {
        return new CapacityForecaster(VolumeForecaster.train(history, config, VolumeForecaster.Kind.CAPACITY));
    }

    public void observe(double bytes) {
        forecaster.observe(bytes);
    }

    /** Value {@code steps} ahead with its interval. */
    public Forecast forecast(int steps) {
        return forecaster.forecast(steps);
    }

    public Crossing timeUntil(double threshold, int maxSteps) {
        if (maxSteps < 1) {
            throw new IllegalArgumentException("maxSteps must be >= 1");
        }
        Forecast f = forecaster.forecast(maxSteps);
        int earliest = -1;
        int expected = -1;
        int latest = -1;
        double p = 0;
        for (int h = 1; h <= maxSteps; h++) {
            if (earliest < 0 && f.upper(h) >= threshold) {
                earliest = h;
            }
            if (expected < 0 && f.point(h) >= threshold) {
                expected = h;
            }
            if (latest < 0 && f.lower(h) >= threshold) {
                latest = h;
            }
            double ph = forecaster.probabilityAtLeast(threshold, h);
            if (!Double.isNaN(ph)) {
                p = Math.max(p, ph);
            }
        }
        if (Double.isNaN(f.upper(1))) {
            // Uncalibrated: only the point path can speak, and its probability is unknown.
            p = Double.NaN;
        }
        return new Crossing(earliest, expected, latest, p, f.level());
    }

    public String modelName() {
        return forecaster.modelName();
    }

    void writeState(DataOutput out) throws IOException {
        forecaster.writeState(out);
    }

    static CapacityForecaster readState(DataInput in) throws IOException {
        return new CapacityForecaster(VolumeForecaster.readState(in));
    }
}
