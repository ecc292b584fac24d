package dev.prescient.operator.telemetry;

import dev.prescient.api.nodeagent.v1.NodeHealth;
import dev.prescient.api.nodeagent.v1.TierUsage;
import dev.prescient.predict.failure.AdaptiveThreshold;
import dev.prescient.predict.failure.DeviceRiskAssessor;
import dev.prescient.predict.failure.FailureCodec;
import dev.prescient.predict.failure.FailureModelException;
import dev.prescient.predict.failure.HealthSignalTracker;
import dev.prescient.predict.failure.PeerSignals;

import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Failure risk per node from the agents' health reports, through predict's DeviceRiskAssessor (engine latency
 * and error anomalies against the device's own history and against the same tier on the other nodes at the same
 * moment, adaptive threshold). The per-device histories and the threshold are exported and imported as strings so
 * they survive an operator restart (ModelStateStore); the peers' latest values refill within one report interval.
 */
public final class NodeHealthModel {

    /** The result for one node: probability, confidence, health score, whether it crossed the threshold, why. */
    public record Risk(double probability, double confidence, double healthScore, boolean alert, double threshold,
                       List<String> reasons) {
    }

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(NodeHealthModel.class);
    private static final int WINDOW = 64;
    /** Suffix of a tier's probe device (node/tier#probe): judged against its own past and the same tier's probes. */
    static final String PROBE = "#probe";

    private final Map<String, HealthSignalTracker> latency = new ConcurrentHashMap<>();
    private final Map<String, HealthSignalTracker> relative = new ConcurrentHashMap<>();
    private final Map<String, HealthSignalTracker> errors = new ConcurrentHashMap<>();
    private final Map<String, Risk> last = new ConcurrentHashMap<>();
    /** When each device first reported I/O, and since when each alerting node has been alerting (see assess). */
    private final Map<String, Long> firstSeen = new ConcurrentHashMap<>();
    private final Map<String, Long> alertSince = new ConcurrentHashMap<>();
    private final PeerSignals peers;
    private volatile AdaptiveThreshold threshold;

    /**
     * @param reportIntervalMs how often each node is assessed; a peer's report counts as "the same moment" for
     *                         three intervals (nodes are assessed one after another, not all at once)
     */
    public NodeHealthModel(double baseThreshold, long reportIntervalMs) {
        this.peers = new PeerSignals(3 * reportIntervalMs);
        AdaptiveThreshold.Config d = AdaptiveThreshold.Config.defaults();
        this.threshold = new AdaptiveThreshold(new AdaptiveThreshold.Config(baseThreshold,
                Math.min(d.min(), baseThreshold), Math.max(d.max(), baseThreshold), d.tighten(), d.relax(),
                d.halfLifeMs()));
    }

    /**
     * Where the agent reports latency per tier, each tier is a device judged against its own history (an hdd is
     * slow by nature; a volume moving onto it must not look like a failing node) and the node's risk is its
     * riskiest tier's. Without per-tier figures the node's own latency and error rate are used.
     * <p>
     * No news is not good news: a node keeps its last risk unless a device that can vouch for it reported I/O, one
     * whose history is long enough to judge and, when the node is alerting, began before the alert (a tier first
     * used on a failing node learns the failing state as its normal). A failing node whose workload stopped or
     * moved to a fresh tier keeps its risk, and its evacuation is not rolled back as a false alarm.
     */
    public synchronized Risk assess(String node, NodeHealth h, long nowMs) {
        Risk worst = null;
        boolean vouched = false;
        for (TierUsage t : h.getTiersList()) {
            double lat = Math.max(t.getReadLatencyP99Micros(), t.getWriteLatencyP99Micros());
            if (lat <= 0 && t.getIoErrorsPerSecond() <= 0) {
                continue; // no I/O on this tier in the interval: nothing to learn
            }
            vouched |= canVouch(node, t.getTier(), nowMs);
            Risk r = assess(t.getTier(), node, lat / 1000.0, t.getIoErrorsPerSecond(), nowMs);
            if (worst == null || r.probability() > worst.probability()) {
                worst = r;
            }
        }
        // The agent's probe of each tier: a device of its own (its latency is one small request, not the
        // engines' mix), reported whether or not volumes live there, so a tier has a healthy past before the planner
        // first places a volume on it, and a node stays judged by its media after its volumes moved away.
        for (TierUsage t : h.getTiersList()) {
            if (t.getProbeLatencyMicros() <= 0 && t.getProbeErrorsPerSecond() <= 0) {
                continue;
            }
            String probe = t.getTier() + PROBE;
            vouched |= canVouch(node, probe, nowMs);
            Risk r = assess(probe, node, t.getProbeLatencyMicros() / 1000.0, t.getProbeErrorsPerSecond(), nowMs);
            if (worst == null || r.probability() > worst.probability()) {
                worst = r;
            }
        }
        if (worst == null && (h.getReadLatencyP99Micros() > 0 || h.getWriteLatencyP99Micros() > 0
                || h.getIoErrorsPerSecond() > 0)) {
            vouched = canVouch(node, "", nowMs);
            worst = assess("", node, h.getReadLatencyP99Micros() / 1000.0, h.getIoErrorsPerSecond(), nowMs);
        }
        Risk before = last.get(node);
        Risk r = worst;
        if (before != null && !vouched && (worst == null || worst.probability() < before.probability())) {
            r = before;
        } else if (r == null) {
            r = assess("", node, 0, 0, nowMs); // never seen with I/O: nothing known against it
        }
        if (r.alert()) {
            alertSince.putIfAbsent(node, nowMs);
        } else {
            alertSince.remove(node);
        }
        last.put(node, r);
        return r;
    }

    private boolean canVouch(String node, String tier, long nowMs) {
        String device = tier.isEmpty() ? node : node + "/" + tier;
        long first = firstSeen.computeIfAbsent(device, d -> nowMs);
        Long since = alertSince.get(node);
        HealthSignalTracker t = latency.get(device);
        return t != null && t.history() >= HealthSignalTracker.MIN_HISTORY && (since == null || first < since);
    }

    /** One device: a tier of a node ({@code tier} empty: the node as a whole, its peers the other nodes). */
    private Risk assess(String tier, String node, double latencyMs, double errorsPerSecond, long nowMs) {
        String device = tier.isEmpty() ? node : node + "/" + tier;
        double peerMs = peers.peerMedian(tier, node, nowMs);
        peers.report(tier, node, latencyMs, nowMs);
        DeviceRiskAssessor a = new DeviceRiskAssessor(null,
                latency.computeIfAbsent(device, k -> new HealthSignalTracker(WINDOW)),
                relative.computeIfAbsent(device, k -> new HealthSignalTracker(WINDOW)),
                errors.computeIfAbsent(device, k -> new HealthSignalTracker(WINDOW)), threshold);
        DeviceRiskAssessor.Assessment r = a.assess(null, latencyMs, peerMs, errorsPerSecond, nowMs);
        LOG.debugf("%s: p99 %.1f ms, peers %.1f ms, errors %.2f/s, history %d, own z %.2f, peer z %.2f, "
                        + "latency z %.2f, p %.3f", device, latencyMs, peerMs, errorsPerSecond,
                latency.get(device).history(), r.ownZ(), r.peerZ(), r.latencyZ(), r.prediction().probability());
        double p = r.prediction().probability();
        return new Risk(p, r.prediction().confidence(), 1 - p, r.alert(), r.threshold(),
                r.reasons().stream().map(Enum::name).toList());
    }

    public double currentThreshold(long nowMs) {
        return threshold.current(nowMs);
    }

    /** An evacuation was undone because the failure never came: relax. */
    public void falseAlarm(long nowMs) {
        threshold.onFalseAlarm(nowMs);
    }

    /** A node did fail: tighten. */
    public void failure(long nowMs) {
        threshold.onFailure(nowMs);
    }

    public synchronized Map<String, String> export() {
        Map<String, String> out = new HashMap<>();
        Base64.Encoder b64 = Base64.getEncoder();
        out.put("threshold", b64.encodeToString(FailureCodec.toBytes(threshold)));
        latency.forEach((n, t) -> out.put("latency." + n, b64.encodeToString(FailureCodec.toBytes(t))));
        relative.forEach((n, t) -> out.put("relative." + n, b64.encodeToString(FailureCodec.toBytes(t))));
        errors.forEach((n, t) -> out.put("errors." + n, b64.encodeToString(FailureCodec.toBytes(t))));
        return out;
    }

    /** Restores what {@link #export} wrote; unreadable entries are skipped (the model then relearns them). */
    public synchronized int restore(Map<String, String> state) {
        Base64.Decoder b64 = Base64.getDecoder();
        int n = 0;
        for (Map.Entry<String, String> e : state.entrySet()) {
            try {
                byte[] bytes = b64.decode(e.getValue());
                if (e.getKey().equals("threshold")) {
                    threshold = FailureCodec.thresholdFromBytes(bytes);
                } else if (e.getKey().startsWith("latency.")) {
                    latency.put(e.getKey().substring(8), FailureCodec.healthFromBytes(bytes));
                } else if (e.getKey().startsWith("relative.")) {
                    relative.put(e.getKey().substring(9), FailureCodec.healthFromBytes(bytes));
                } else if (e.getKey().startsWith("errors.")) {
                    errors.put(e.getKey().substring(7), FailureCodec.healthFromBytes(bytes));
                } else {
                    continue;
                }
                n++;
            } catch (RuntimeException | FailureModelException ex) {
                // A corrupt entry costs that node's history, not the operator.
                LOG.warnf("node health model: state entry %s unreadable, that node relearns: %s", e.getKey(), ex);
            }
        }
        return n;
    }

    public int history(String node) {
        HealthSignalTracker t = latency.get(node);
        return t == null ? 0 : t.history();
    }
}
