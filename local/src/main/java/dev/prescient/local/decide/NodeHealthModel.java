package dev.prescient.local.decide;

/**
 * Health score and failure probability of a node from its latency and media-error signals. A logistic model over
 * the latency ratio and the error rate: a stand-in for predict's DeviceRiskAssessor, which needs SMART histories
 * the local nodes do not have.
 */
public final class NodeHealthModel {
    /** Signals of one node at one time. */
    public record Signals(double latencyRatio, double errorsPerMinute) {
    }

    /** 1 = perfectly healthy, 0 = failing. */
    public static double healthScore(Signals s) {
        return 1.0 / (1.0 + Math.max(0, s.latencyRatio() - 1) * 0.5 + s.errorsPerMinute() * 0.05);
    }

    /** Probability of failing within the policy horizon. */
    public static double failureProbability(Signals s) {
        double z = 1.6 * Math.log(Math.max(1.0, s.latencyRatio())) + 0.12 * s.errorsPerMinute() - 3.0;
        return 1.0 / (1.0 + Math.exp(-z));
    }
}
