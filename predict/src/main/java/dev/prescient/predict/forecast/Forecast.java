package dev.prescient.predict.forecast;

/**
 * Forecast path for steps 1..n ahead with a central prediction interval of coverage {@code level}.
 * Bounds are NaN where the model has not yet seen enough of its own errors to calibrate them.
 */
public record Forecast(double[] point, double[] lower, double[] upper, double level) {

    public int horizon() {
        return point.length;
    }

    /** Value at {@code h} steps ahead, 1-based. */
    public double point(int h) {
        return point[h - 1];
    }

    public double lower(int h) {
        return lower[h - 1];
    }

    public double upper(int h) {
        return upper[h - 1];
    }
}
