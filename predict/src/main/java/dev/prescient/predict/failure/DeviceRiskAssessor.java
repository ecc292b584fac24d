package dev.prescient.predict.failure;

import java.util.ArrayList;
import java.util.List;

/**
 * The failure decision for one device or node: SMART probability (when the device reports
 * SMART), folded with engine health anomalies against the device's own history, compared with
 * an {@link AdaptiveThreshold}. Plain class, no Kubernetes types; the planner calls
 * {@link #assess} once per evaluation interval and feeds outcomes back.
 */
public final class DeviceRiskAssessor {

    /** Why an assessment came out as it did, for status conditions and events. */
    public enum Reason {
        SMART_RISK, LATENCY_ANOMALY, ERROR_RATE_ANOMALY, NO_SIGNALS
    }

    /**
     * @param prediction probability with bounds and confidence, health folded in
     * @param alert      true when the probability reaches the current threshold
     * @param threshold  the threshold it was compared with
     * @param reasons    signals that contributed (empty when all look normal)
     */
    public record Assessment(FailurePrediction prediction, boolean alert, double threshold, double latencyZ,
            double errorZ, List<Reason> reasons) {
    }

    /** A robust z at or above this is named as a reason. */
    static final double ANOMALY_Z = 3.5;
    /** A SMART probability at or above this share of the threshold is named as a reason. */
    static final double SMART_SHARE = 0.5;

    private final FailurePredictor smart;
    private final HealthSignalTracker latency;
    private final HealthSignalTracker errors;
    private final AdaptiveThreshold threshold;

    /** {@code smart} may be null for devices without SMART (network volumes, virtual disks). */
    public DeviceRiskAssessor(FailurePredictor smart, HealthSignalTracker latency, HealthSignalTracker errors,
            AdaptiveThreshold threshold) {
        this.smart = smart;
        this.latency = latency;
        this.errors = errors;
        this.threshold = threshold;
    }

    /**
     * Scores the current signals, then adds them to the device's history (so a new anomaly is
     * judged against the past, not against itself). Any input may be NaN or null: missing.
     */
    public Assessment assess(double[] smartRow, double latencyMs, double errorRate, long nowMs) {
        List<Reason> reasons = new ArrayList<>();
        FailurePrediction base;
        if (smart != null && smartRow != null) {
            base = smart.predict(smartRow);
        } else {
            // No SMART: the health signals alone decide, with no SMART evidence either way.
            base = new FailurePrediction(0, 0, 0, 1);
        }
        double lz = latency.score(latencyMs);
        double ez = errors.score(errorRate);
        FailurePrediction p = base.withHealth(HealthSignalTracker.anomalyProbability(lz, ez));
        double thr = threshold.current(nowMs);
        if (smart != null && smartRow != null && base.probability() >= SMART_SHARE * thr) {
            reasons.add(Reason.SMART_RISK);
        }
        if (lz >= ANOMALY_Z) {
            reasons.add(Reason.LATENCY_ANOMALY);
        }
        if (ez >= ANOMALY_Z) {
            reasons.add(Reason.ERROR_RATE_ANOMALY);
        }
        if ((smart == null || smartRow == null) && Double.isNaN(lz) && Double.isNaN(ez)) {
            reasons.add(Reason.NO_SIGNALS);
        }
        latency.observeUnlessAnomalous(latencyMs, ANOMALY_Z);
        errors.observeUnlessAnomalous(errorRate, ANOMALY_Z);
        return new Assessment(p, p.probability() >= thr, thr, lz, ez, List.copyOf(reasons));
    }

    /** The device failed: learn from it (when SMART is known) and tighten the threshold. */
    public void onFailure(double[] smartRow, long nowMs) {
        if (smart != null && smartRow != null) {
            smart.observe(smartRow, true);
        }
        threshold.onFailure(nowMs);
    }

    /** An alert was raised but the device stayed healthy: learn and relax the threshold. */
    public void onFalseAlarm(double[] smartRow, long nowMs) {
        if (smart != null && smartRow != null) {
            smart.observe(smartRow, false);
        }
        threshold.onFalseAlarm(nowMs);
    }

    public AdaptiveThreshold threshold() {
        return threshold;
    }
}
