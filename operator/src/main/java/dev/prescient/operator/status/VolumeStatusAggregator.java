package dev.prescient.operator.status;

import dev.prescient.api.nodeagent.v1.Replica;
import dev.prescient.api.v1alpha1.volume.ReplicaMode;
import dev.prescient.api.v1alpha1.volume.ReplicaState;
import dev.prescient.api.v1alpha1.volume.ReplicaStatus;
import dev.prescient.api.v1alpha1.volume.ReplicatedVolumeStatus;
import dev.prescient.api.v1alpha1.volume.VolumePhase;
import dev.prescient.operator.util.Units;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** ReplicatedVolume status from the replicas the agents report: phase, replica list and summary, conditions. */
public final class VolumeStatusAggregator {

    private VolumeStatusAggregator() {
    }

    public static ReplicatedVolumeStatus aggregate(ReplicatedVolumeStatus prev, long capacityBytes, int desired,
                                                   List<Replica> observed, List<String> unreachable,
                                                   long generation, Instant now) {
        ReplicatedVolumeStatus s = new ReplicatedVolumeStatus();
        if (prev != null) {
            // Scores, forecasts and attachment are written by the planner and the CSI side; keep them.
            s.setHeatClass(prev.getHeatClass());
            s.setAffinity(prev.getAffinity());
            s.setForecasts(prev.getForecasts());
            s.setAttachment(prev.getAttachment());
        }
        List<ReplicaStatus> rs = new ArrayList<>();
        long used = 0;
        int healthy = 0;
        for (Replica r : observed) {
            ReplicaStatus x = new ReplicaStatus();
            x.setId(r.getReplicaId());
            x.setNode(r.getNodeId());
            x.setTier(r.getTier());
            x.setState(state(r));
            x.setMode(x.getState() == ReplicaState.Healthy ? ReplicaMode.RW
                    : x.getState() == ReplicaState.Syncing ? ReplicaMode.WO : ReplicaMode.ERR);
            x.setGeneration(r.getGeneration());
            rs.add(x);
            used = Math.max(used, r.getAllocatedBytes());
            if (x.getState() == ReplicaState.Healthy) {
                healthy++;
            }
        }
        rs.sort(Comparator.comparing(ReplicaStatus::getNode).thenComparing(ReplicaStatus::getId));
        s.setReplicas(rs);
        s.setUsedBytes(used);
        s.setCapacity(Units.human(capacityBytes));
        s.setReplicaSummary(healthy + "/" + desired);
        s.setPhase(healthy == 0 ? (rs.isEmpty() ? VolumePhase.Pending : VolumePhase.Failed)
                : healthy < desired ? VolumePhase.Degraded : VolumePhase.Available);
        Conditions c = new Conditions(prev == null ? null : prev.getConditions(), generation, now);
        c.set("Ready", healthy > 0, healthy > 0 ? "ReplicaAvailable" : rs.isEmpty() ? "NoReplica" : "NoHealthyReplica",
                healthy + " healthy replica(s)");
        c.set("Degraded", healthy < desired, healthy < desired ? "TooFewReplicas" : "AllReplicas",
                healthy + " of " + desired + " healthy" + (unreachable.isEmpty() ? ""
                        : "; agents unreachable: " + String.join(",", unreachable)));
        s.setConditions(c.toList());
        s.setObservedGeneration(generation);
        return s;
    }

    private static ReplicaState state(Replica r) {
        return switch (r.getState()) {
            case REPLICA_STATE_HEALTHY -> ReplicaState.Healthy;
            case REPLICA_STATE_SYNCING -> ReplicaState.Syncing;
            case REPLICA_STATE_STALE -> ReplicaState.Stale;
            case REPLICA_STATE_REMOVING -> ReplicaState.Removing;
            default -> ReplicaState.Failed;
        };
    }
}
