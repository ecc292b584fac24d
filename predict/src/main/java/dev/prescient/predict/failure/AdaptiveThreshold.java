package dev.prescient.predict.failure;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Alert threshold on the failure probability that moves with experience. A confirmed failure or
 * a cluster-wide event (a rack losing power, a bad firmware batch) lowers it, so evacuation
 * starts earlier while risk is visibly elevated; a false alarm (evacuated, then the device stayed
 * healthy) raises it. Every adjustment decays back towards the base with a half-life, so the
 * threshold forgets old events instead of ratcheting to a bound.
 */
public final class AdaptiveThreshold {

    /**
     * @param base        threshold with no recent events
     * @param min         never alert below this probability
     * @param max         never require more than this
     * @param tighten     multiplier per confirmed failure, in (0,1)
     * @param relax       multiplier per false alarm, > 1
     * @param halfLifeMs  time for an adjustment to decay halfway back to base
     */
    public record Config(double base, double min, double max, double tighten, double relax, long halfLifeMs) {
        public Config {
            if (!(min > 0 && min <= base && base <= max && max < 1) || !(tighten > 0 && tighten < 1)
                    || !(relax > 1) || halfLifeMs <= 0) {
                throw new IllegalArgumentException("invalid adaptive threshold config");
            }
        }

        public static Config defaults() {
            return new Config(0.5, 0.1, 0.9, 0.7, 1.25, 7L * 24 * 3600 * 1000);
        }
    }

    private final Config config;
    private double adjusted;
    private long adjustedAt;

    public AdaptiveThreshold(Config config) {
        this.config = config;
        this.adjusted = config.base();
        this.adjustedAt = 0;
    }

    /** Current threshold at {@code nowMs}, decayed towards the base since the last event. */
    public double current(long nowMs) {
        long dt = Math.max(0, nowMs - adjustedAt);
        double w = Math.pow(0.5, (double) dt / config.halfLifeMs());
        return config.base() + (adjusted - config.base()) * w;
    }

    public boolean shouldAlert(double probability, long nowMs) {
        return probability >= current(nowMs);
    }

    public boolean shouldAlert(FailurePrediction p, long nowMs) {
        return shouldAlert(p.probability(), nowMs);
    }

    /** A device failed (predicted or not): be more sensitive. */
    public void onFailure(long nowMs) {
        set(current(nowMs) * config.tighten(), nowMs);
    }

    /**
     * A cluster-wide event of {@code severity} in [0,1]; 1 tightens like a failure, 0 not at all.
     */
    public void onClusterEvent(double severity, long nowMs) {
        double s = Math.max(0, Math.min(1, severity));
        set(current(nowMs) * (1 - (1 - config.tighten()) * s), nowMs);
    }

    /** An alert turned out false: be less sensitive. */
    public void onFalseAlarm(long nowMs) {
        set(current(nowMs) * config.relax(), nowMs);
    }

    private void set(double value, long nowMs) {
        adjusted = Math.max(config.min(), Math.min(config.max(), value));
        adjustedAt = Math.max(adjustedAt, nowMs);
    }

    public Config config() {
        return config;
    }

    void writeState(DataOutput out) throws IOException {
        out.writeDouble(config.base());
        out.writeDouble(config.min());
        out.writeDouble(config.max());
        out.writeDouble(config.tighten());
        out.writeDouble(config.relax());
        out.writeLong(config.halfLifeMs());
        out.writeDouble(adjusted);
        out.writeLong(adjustedAt);
    }

    static AdaptiveThreshold readState(DataInput in) throws IOException {
        Config c;
        try {
            c = new Config(in.readDouble(), in.readDouble(), in.readDouble(), in.readDouble(), in.readDouble(),
                    in.readLong());
        } catch (IllegalArgumentException e) {
            throw new FailureModelException("corrupt adaptive threshold config");
        }
        AdaptiveThreshold t = new AdaptiveThreshold(c);
        double a = in.readDouble();
        if (!(a >= c.min() && a <= c.max())) {
            throw new FailureModelException("adaptive threshold outside its bounds");
        }
        t.adjusted = a;
        t.adjustedAt = in.readLong();
        return t;
    }
}
