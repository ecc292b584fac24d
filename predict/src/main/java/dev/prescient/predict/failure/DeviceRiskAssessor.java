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
        SMART_RISK, LATENCY_ANOMALY, ERROR_RATE_ANOMALY, NO_SIGNALS,
        /** Slower than its own past, but so are its peers: a shared cause, not this device. */
        SHARED_SLOWDOWN
    }

    /**
     * @param prediction probability with bounds and confidence, health folded in
     * @param alert      true when the probability reaches the current threshold
     * @param threshold  the threshold it was compared with
     * @param latencyZ   the latency score that decided: own history and peers combined (see {@link #combine})
     * @param ownZ       latency against the device's own history alone
     * @param peerZ      latency relative to its peers' against that ratio's own history; NaN without peers
     * @param reasons    signals that contributed (empty when all look normal)
     */
    public record Assessment(FailurePrediction prediction, boolean alert, double threshold, double latencyZ,
            double errorZ, double ownZ, double peerZ, List<Reason> reasons) {
    }

    /** A robust z at or above this is named as a reason. */
    static final double ANOMALY_Z = 3.5;
    /** A SMART probability at or above this share of the threshold is named as a reason. */
    static final double SMART_SHARE = 0.5;

    private final FailurePredictor smart;
    private final HealthSignalTracker latency;
    private final HealthSignalTracker relativeLatency;
    private final HealthSignalTracker errors;
    private final AdaptiveThreshold threshold;

    /** {@code smart} may be null for devices without SMART (network volumes, virtual disks). */
    public DeviceRiskAssessor(FailurePredictor smart, HealthSignalTracker latency, HealthSignalTracker errors,
            AdaptiveThreshold threshold) {
        this(smart, latency, null, errors, threshold);
    }

    /**
     * @param relativeLatency history of the device's latency divided by its peers' at the same moment (see
     *                        {@link PeerSignals}); null when the device has no peers to compare with
     */
    public DeviceRiskAssessor(FailurePredictor smart, HealthSignalTracker latency,
            HealthSignalTracker relativeLatency, HealthSignalTracker errors, AdaptiveThreshold threshold) {
        this.smart = smart;
        this.latency = latency;
        this.relativeLatency = relativeLatency;
        this.errors = errors;
        this.threshold = threshold;
    }

    /**
     * Scores the current signals, then adds them to the device's history (so a new anomaly is
     * judged against the past, not against itself). Any input may be NaN or null: missing.
     */
    public Assessment assess(double[] smartRow, double latencyMs, double errorRate, long nowMs) {
        return assess(smartRow, latencyMs, Double.NaN, errorRate, nowMs);
    }

    /**
     * As {@link #assess(double[], double, double, long)}, with the median latency of the device's peers at the
     * same moment ({@link PeerSignals#peerMedian}; NaN when none reported).
     */
    public Assessment assess(double[] smartRow, double latencyMs, double peerLatencyMs, double errorRate,
            long nowMs) {
        List<Reason> reasons = new ArrayList<>();
        FailurePrediction base;
        if (smart != null && smartRow != null) {
            base = smart.predict(smartRow);
        } else {
            // No SMART: the health signals alone decide, with no SMART evidence either way.
            base = new FailurePrediction(0, 0, 0, 1);
        }
        double ownZ = latency.score(latencyMs);
        double ratio = relativeLatency != null && latencyMs > 0 && peerLatencyMs > 0 ? latencyMs / peerLatencyMs
                : Double.NaN;
        double peerZ = relativeLatency == null ? Double.NaN : relativeLatency.score(ratio);
        if (relativeLatency != null && Double.isNaN(peerZ) && !Double.isNaN(ratio)) {
            // Too few reports with peers to know this device's usual ratio: judge its level (the lowest of the last
            // five ratios, as for every score) against the prior that a tier is about as fast as the same tier
            // elsewhere, with the tracker's floor scale (2x scores 2, 4x 6). A young history is where a device's own
            // past misleads most: a quiet start makes any load look slow.
            peerZ = (relativeLatency.level(ratio) - 1) / HealthSignalTracker.FLOOR_SHARE;
        }
        double lz = combine(ownZ, peerZ);
        double ez = errors.score(errorRate);
        FailurePrediction p = base.withHealth(HealthSignalTracker.anomalyProbability(lz, ez));
        double thr = threshold.current(nowMs);
        if (smart != null && smartRow != null && base.probability() >= SMART_SHARE * thr) {
            reasons.add(Reason.SMART_RISK);
        }
        if (lz >= ANOMALY_Z) {
            reasons.add(Reason.LATENCY_ANOMALY);
        } else if (ownZ >= ANOMALY_Z) {
            reasons.add(Reason.SHARED_SLOWDOWN);
        }
        if (ez >= ANOMALY_Z) {
            reasons.add(Reason.ERROR_RATE_ANOMALY);
        }
        if ((smart == null || smartRow == null) && Double.isNaN(lz) && Double.isNaN(ez)) {
            reasons.add(Reason.NO_SIGNALS);
        }
        if (ownZ >= ANOMALY_Z && peerZ >= ANOMALY_Z) {
            // Slower than its own past and than its peers at the same moment: a failing device. Its history must not
            // learn the slowdown, not even after a whole window (observeUnlessAnomalous takes a lasting level as the
            // new normal): local mode's node-c held at 400 ms for two minutes became its own baseline, p fell under
            // the threshold and the evacuation was rolled back while the disk still failed. A lasting change its
            // peers share, or one with no peers to ask, is still learnt after a window.
            latency.observeLevelOnly(latencyMs);
        } else {
            latency.observeUnlessAnomalous(latencyMs, ANOMALY_Z);
        }
        if (relativeLatency != null) {
            // The ratio to the peers is learnt only while the device is normal against its own past: one whose
            // peers first reported after it began to fail would otherwise learn "32x slower" as its normal.
            if (ownZ >= ANOMALY_Z) {
                relativeLatency.observeLevelOnly(ratio);
            } else {
                relativeLatency.observeUnlessAnomalous(ratio, ANOMALY_Z);
            }
        }
        errors.observeUnlessAnomalous(errorRate, ANOMALY_Z);
        return new Assessment(p, p.probability() >= thr, thr, lz, ez, ownZ, peerZ, List.copyOf(reasons));
    }

    /**
     * One latency score from two references. Against its own past alone a device is fooled by a shared cause
     * (every node slows down when the network or a common disk is busy); against its peers alone by hardware
     * that is simply slower than theirs. So when either reference explains the latency (score under
     * {@link #ANOMALY_Z}) the lower score stands; when both call it anomalous neither explanation holds and the
     * two are added as independent evidence (Stouffer's sum, z1 + z2 over root 2: 4x slower than both, z 6 each,
     * gives 8.5). Like the logistic of {@link HealthSignalTracker#anomalyProbability}, a prior, not fitted. Without
     * peers (NaN) the device's own history decides.
     */
    static double combine(double ownZ, double peerZ) {
        if (Double.isNaN(peerZ) || Double.isNaN(ownZ)) {
            return ownZ;
        }
        if (ownZ < ANOMALY_Z || peerZ < ANOMALY_Z) {
            return Math.min(ownZ, peerZ);
        }
        return (ownZ + peerZ) / Math.sqrt(2);
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
