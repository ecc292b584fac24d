package dev.prescient.predict.common;

/**
 * Exponential decay with a half-life, in "landmark" form: a decayed sum is stored scaled to a
 * fixed landmark time L, so adding an event at time t costs one {@code exp} and no per-tick
 * work, and every sum kept against the same landmark is read with one shared factor.
 *
 * <p>stored = sum_i 2^((t_i - L)/h); value at now = stored * 2^(-(now - L)/h).
 * The stored values grow as time runs away from L; {@link #needsRebase(long)} says when the
 * caller should multiply all its stored values by {@link #rebaseFactor(long)} and move L.
 */
public final class Decay {
    /** Beyond this exponent (base e) stored doubles lose nothing yet but we rebase early. */
    private static final double MAX_EXPONENT = 300.0;

    private final double lambda;
    private long landmark;

    /** @param halfLife half-life in the caller's time unit (ms, requests, ...); must be > 0 */
    public Decay(double halfLife) {
        if (!(halfLife > 0) || Double.isInfinite(halfLife)) {
            throw new IllegalArgumentException("half-life must be positive and finite, got " + halfLife);
        }
        this.lambda = Math.log(2) / halfLife;
    }

    public double halfLife() {
        return Math.log(2) / lambda;
    }

    public double lambda() {
        return lambda;
    }

    public long landmark() {
        return landmark;
    }

    public void landmark(long landmark) {
        this.landmark = landmark;
    }

    /** Weight of one event at time t, relative to the landmark. */
    public double weightAt(long t) {
        return Math.exp(lambda * (t - landmark));
    }

    /** Factor turning a stored value into its decayed value at {@code now}. */
    public double readFactor(long now) {
        return Math.exp(-lambda * (now - landmark));
    }

    public boolean needsRebase(long now) {
        return lambda * (now - landmark) > MAX_EXPONENT;
    }

    /** Multiply every stored value by this, then the landmark is {@code now}. */
    public double rebaseFactor(long now) {
        double f = readFactor(now);
        landmark = now;
        return f;
    }

    /** Plain decay of a value over an elapsed time (for values stored with their own timestamp). */
    public double factor(long elapsed) {
        return elapsed <= 0 ? 1.0 : Math.exp(-lambda * elapsed);
    }

    /** Standalone helper: value decayed over {@code elapsed} with {@code halfLife}. */
    public static double decay(double value, double elapsed, double halfLife) {
        return elapsed <= 0 ? value : value * Math.exp(-Math.log(2) * elapsed / halfLife);
    }
}
