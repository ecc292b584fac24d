package dev.prescient.operator.telemetry;

/**
 * Physical bounds of an access-rate forecast: never below zero, never above {@link #PEAK_MULTIPLE} times the highest
 * rate the volume was observed to serve. A model extrapolating a spike (issue 16 saw 28 million against a peak in the
 * hundreds) is a bug, not a forecast; a volume can grow busier than it ever was, but not by orders of magnitude
 * within one forecast horizon. Applied to the point and both interval bounds; NaN (not calibrated) stays NaN.
 */
public final class ForecastBounds {

    /** Headroom above the observed peak a forecast may claim. */
    public static final double PEAK_MULTIPLE = 4;

    private ForecastBounds() {
    }

    /** The highest bound a forecast may reach with {@code peak} the highest value observed (negative/NaN: none). */
    public static double ceiling(double peak) {
        return Double.isNaN(peak) || peak <= 0 ? 0 : peak * PEAK_MULTIPLE;
    }

    /** {@code v} clamped to [0, ceiling(peak)]; NaN stays NaN. */
    public static double clamp(double v, double peak) {
        if (Double.isNaN(v)) {
            return v;
        }
        return Math.max(0, Math.min(v, ceiling(peak)));
    }

    /** Highest non-NaN value of {@code values} and {@code extra}; NaN when there is none. */
    public static double peak(double[] values, double extra) {
        double p = Double.isNaN(extra) ? Double.NaN : extra;
        for (double v : values) {
            if (!Double.isNaN(v) && (Double.isNaN(p) || v > p)) {
                p = v;
            }
        }
        return p;
    }
}
