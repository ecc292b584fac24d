package dev.prescient.operator.status;

import dev.prescient.api.nodeagent.v1.Replica;
import dev.prescient.api.v1alpha1.volume.ReplicaMode;
import dev.prescient.api.v1alpha1.volume.ReplicaState;
import dev.prescient.api.v1alpha1.volume.ReplicaStatus;
import dev.prescient.api.v1alpha1.volume.ReplicatedVolumeStatus;
import dev.prescient.api.v1alpha1.volume.VolumePhase;
import dev.prescient.api.v1alpha1.volume.AffinityScores;
import dev.prescient.api.v1alpha1.volume.Forecast;
import dev.prescient.api.v1alpha1.volume.HeatClassName;
import dev.prescient.api.v1alpha1.volume.Score;
import dev.prescient.operator.plan.VolumeInsights;
import dev.prescient.operator.util.Units;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * ReplicatedVolume status from the replicas the agents report (phase, replica list and summary) and from the
 * planner's latest view of the volume (heat class, affinity per node and application, forecasts with intervals,
 * the last replica it removed and why), with conditions.
 */
public final class VolumeStatusAggregator {

    private VolumeStatusAggregator() {
    }

    /** Scores shown per volume: the highest ones, as the CRD documents. */
    static final int TOP = 10;

    public static ReplicatedVolumeStatus aggregate(ReplicatedVolumeStatus prev, long capacityBytes, int desired,
                                                   List<Replica> observed, List<String> unreachable,
                                                   long generation, Instant now) {
        return aggregate(prev, capacityBytes, desired, observed, unreachable, null, null, generation, now);
    }

    /**
     * @param insight the planner's latest numbers for the volume, or null (no pass yet since this operator
     *                started: the previous status' numbers are kept)
     * @param removal the last replica the planner removed, or null
     */
    public static ReplicatedVolumeStatus aggregate(ReplicatedVolumeStatus prev, long capacityBytes, int desired,
                                                   List<Replica> observed, List<String> unreachable,
                                                   VolumeInsights.Insight insight, VolumeInsights.Removal removal,
                                                   long generation, Instant now) {
        return aggregate(prev, capacityBytes, desired, observed, unreachable, insight, removal, null, generation, now);
    }

    /** @param readSwitch the last time the planner re-pointed the volume's reads, or null */
    public static ReplicatedVolumeStatus aggregate(ReplicatedVolumeStatus prev, long capacityBytes, int desired,
                                                   List<Replica> observed, List<String> unreachable,
                                                   VolumeInsights.Insight insight, VolumeInsights.Removal removal,
                                                   VolumeInsights.ReadSwitch readSwitch, long generation, Instant now) {
        ReplicatedVolumeStatus s = new ReplicatedVolumeStatus();
        if (prev != null) {
            // Attachment is written by the CSI side; scores and forecasts are kept until the planner has new ones.
            s.setHeatClass(prev.getHeatClass());
            s.setAffinity(prev.getAffinity());
            s.setForecasts(prev.getForecasts());
            s.setAttachment(prev.getAttachment());
        }
        if (insight != null) {
            if (insight.heat() != null) {
                s.setHeatClass(HeatClassName.valueOf(insight.heat().name()));
            }
            AffinityScores a = new AffinityScores();
            a.setNodes(top(insight.nodes()));
            a.setApplications(top(insight.applications()));
            a.setComputedAt(insight.computedAt().toString());
            s.setAffinity(a);
            List<Forecast> fs = new ArrayList<>();
            for (VolumeInsights.ForecastView f : insight.forecasts()) {
                fs.add(forecast(f, insight.computedAt()));
            }
            s.setForecasts(fs);
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
        if (removal != null) {
            // A removal has no VolumeMigration of its own; this condition (and an Event) is its record.
            c.set("ReplicaRemoved", removal.done(), removal.kind() == null ? "Removed" : removal.kind().name(),
                    String.format(Locale.ROOT, "%s replica %s on %s/%s at %s: %s", removal.done() ? "removed"
                                    : "removal failed (" + removal.error() + ") of", removal.replicaId(),
                            removal.node(), removal.tier(), removal.at(), removal.explanation()));
        }
        if (readSwitch != null) {
            // Also no VolumeMigration: nothing is copied or dropped, only the front-end's read source changes.
            c.set("ReadSourceSwitched", readSwitch.done(), readSwitch.reason(), String.format(Locale.ROOT,
                    "%s %s on %s (from %s on %s) at %s: %s", readSwitch.done() ? "reads served by"
                            : "switch failed (" + readSwitch.error() + ") to", readSwitch.replicaId(), readSwitch.node(),
                    readSwitch.fromReplicaId(), readSwitch.fromNode(), readSwitch.at(), readSwitch.explanation()));
        }
        s.setConditions(c.toList());
        s.setObservedGeneration(generation);
        return s;
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    /**
     * Whether {@code next} says nothing {@code prev} does not, apart from when the planner's numbers were computed
     * (affinity and forecast computedAt, which move every pass). The ReplicatedVolume reconciler then writes no
     * status: with 10,000 volumes a status patch per volume per interval was most of the operator's API traffic.
     */
    public static boolean sameApartFromTimes(ReplicatedVolumeStatus prev, ReplicatedVolumeStatus next) {
        if (prev == null || next == null) {
            return prev == next;
        }
        return withoutTimes(JSON.valueToTree(prev)).equals(withoutTimes(JSON.valueToTree(next)));
    }

    private static com.fasterxml.jackson.databind.JsonNode withoutTimes(com.fasterxml.jackson.databind.JsonNode n) {
        if (n instanceof com.fasterxml.jackson.databind.node.ObjectNode o) {
            o.remove("computedAt");
            o.forEach(VolumeStatusAggregator::withoutTimes);
        } else if (n instanceof com.fasterxml.jackson.databind.node.ArrayNode a) {
            a.forEach(VolumeStatusAggregator::withoutTimes);
        }
        return n;
    }

    /** Highest first, ties by name, at most {@link #TOP}; scores rounded to 3 places so status does not churn. */
    static List<Score> top(Map<String, Double> scores) {
        List<Score> out = new ArrayList<>();
        scores.entrySet().stream()
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(TOP)
                .forEach(e -> {
                    Score x = new Score();
                    x.setName(e.getKey());
                    x.setScore(round(e.getValue()));
                    out.add(x);
                });
        return out;
    }

    private static Forecast forecast(VolumeInsights.ForecastView f, Instant at) {
        Forecast x = new Forecast();
        x.setMetric(f.metric());
        x.setHorizon(Units.durationString(f.horizon()));
        x.setValue(round(f.value()));
        if (!Double.isNaN(f.lower()) && !Double.isNaN(f.upper())) {
            x.setLower(round(f.lower()));
            x.setUpper(round(f.upper()));
            x.setConfidence(f.level());
        }
        x.setComputedAt(at.toString());
        return x;
    }

    private static double round(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return 0;
        }
        return Math.abs(v) >= 1000 ? Math.rint(v) : Math.rint(v * 1000) / 1000;
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
