package dev.prescient.operator.status;

import dev.prescient.api.nodeagent.v1.NodeHealth;
import dev.prescient.api.nodeagent.v1.TierUsage;
import dev.prescient.api.v1alpha1.node.HealthSignals;
import dev.prescient.api.v1alpha1.node.NodeLoad;
import dev.prescient.api.v1alpha1.node.NodeTierStatus;
import dev.prescient.api.v1alpha1.node.StorageNodeStatus;
import dev.prescient.operator.telemetry.NodeHealthModel;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** StorageNode status from the agent's health report and the failure model's verdict. */
public final class NodeStatusAggregator {

    private NodeStatusAggregator() {
    }

    public static StorageNodeStatus reachable(StorageNodeStatus prev, NodeHealth h, NodeHealthModel.Risk risk,
                                              boolean cordoned, long generation, Instant now) {
        StorageNodeStatus s = new StorageNodeStatus();
        List<NodeTierStatus> tiers = new ArrayList<>();
        for (TierUsage t : h.getTiersList()) {
            NodeTierStatus ts = new NodeTierStatus();
            ts.setTier(t.getTier());
            ts.setPath(t.getPath());
            ts.setCapacityBytes(t.getCapacityBytes());
            ts.setUsedBytes(t.getUsedBytes());
            tiers.add(ts);
        }
        s.setTiers(tiers);
        HealthSignals hs = new HealthSignals();
        hs.setReadLatencyP99Micros(h.getReadLatencyP99Micros());
        hs.setWriteLatencyP99Micros(h.getWriteLatencyP99Micros());
        hs.setIoErrorsPerMillion(h.getIoErrorsPerSecond());
        s.setHealth(hs);
        s.setHealthScore(risk.healthScore());
        s.setFailureProbability(risk.probability());
        s.setFailureConfidence(risk.confidence());
        NodeLoad load = new NodeLoad();
        load.setReplicas(h.getReplicaCount());
        s.setLoad(load);
        s.setLastHeartbeatTime(now.toString());
        Conditions c = new Conditions(prev == null ? null : prev.getConditions(), generation, now);
        c.set("Ready", true, "AgentReachable", "node agent answered");
        c.set("Healthy", !risk.alert(), risk.alert() ? "FailurePredicted" : "Healthy",
                String.format(Locale.ROOT, "failure probability %.3f (confidence %.2f), threshold %.3f%s",
                        risk.probability(), risk.confidence(), risk.threshold(),
                        risk.reasons().isEmpty() ? "" : ", signals " + risk.reasons()));
        c.set("EvacuationRecommended", risk.alert(), risk.alert() ? "FailurePredicted" : "NotNeeded",
                risk.alert() ? "replicas should be copied off this node" : "");
        c.set("Cordoned", cordoned, cordoned ? "Cordoned" : "Schedulable",
                cordoned ? "no new replicas are placed here" : "");
        s.setConditions(c.toList());
        s.setObservedGeneration(generation);
        return s;
    }

    /**
     * Since when the node's failure model has not alerted: the EvacuationRecommended condition's last transition
     * while it is False; null while it is True, before the first assessment, or when the time is unreadable (the
     * planner then treats the node as not recovered and keeps any evacuation copy).
     */
    public static Instant calmSince(StorageNodeStatus s) {
        if (s == null || s.getConditions() == null) {
            return null;
        }
        for (var c : s.getConditions()) {
            if (c.getType().equals("EvacuationRecommended")) {
                if (c.getStatus() == null || !c.getStatus().name().equals("False") || c.getLastTransitionTime() == null) {
                    return null;
                }
                try {
                    return Instant.parse(c.getLastTransitionTime());
                } catch (java.time.format.DateTimeParseException e) {
                    return null;
                }
            }
        }
        return null;
    }

    /** The agent did not answer: keep the last known numbers, flip Ready with the reason. */
    public static StorageNodeStatus unreachable(StorageNodeStatus prev, String error, long generation, Instant now) {
        StorageNodeStatus s = prev == null ? new StorageNodeStatus() : prev;
        Conditions c = new Conditions(s.getConditions(), generation, now);
        c.set("Ready", false, "AgentUnreachable", error);
        s.setConditions(c.toList());
        s.setObservedGeneration(generation);
        return s;
    }
}
