package dev.prescient.predict.failure;

/**
 * Probability that a device fails within the model's horizon, with the spread across the bagged
 * models as an interval and {@code confidence = 1 - (upper - lower)}: models trained on different
 * resamples of the drives agree when the evidence is strong and disagree where it is thin.
 */
public record FailurePrediction(double probability, double lower, double upper, double confidence) {

    public static FailurePrediction of(double[] bagProbabilities) {
        double sum = 0;
        double lo = 1;
        double hi = 0;
        for (double p : bagProbabilities) {
            sum += p;
            lo = Math.min(lo, p);
            hi = Math.max(hi, p);
        }
        double mean = sum / bagProbabilities.length;
        return new FailurePrediction(mean, lo, hi, 1 - (hi - lo));
    }

    /**
     * Folds in an independent health-signal probability (engine latency/error anomalies):
     * fails if either source says so, {@code 1 - (1-a)(1-b)}, applied to the bounds as well.
     */
    public FailurePrediction withHealth(double healthProbability) {
        if (Double.isNaN(healthProbability) || healthProbability <= 0) {
            return this;
        }
        double q = 1 - Math.min(1, healthProbability);
        double lo = 1 - (1 - lower) * q;
        double hi = 1 - (1 - upper) * q;
        return new FailurePrediction(1 - (1 - probability) * q, lo, hi, 1 - (hi - lo));
    }
}
