package dev.prescient.operator.plan;

import dev.prescient.api.v1alpha1.volume.ForecastMetric;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the planner last concluded about each volume (heat class, affinity per node and per application, the
 * forecasts with their intervals, the last replica it removed and why), shared with the ReplicatedVolume
 * reconciler so that status shows the numbers the decisions were made on. Plain and thread-safe: the planner
 * writes once per pass, reconcilers read at any time. Lost on restart and refilled by the next pass.
 */
public final class VolumeInsights {

    /** One forecast: value and interval at {@code horizon} ahead; bounds NaN while not calibrated. */
    public record ForecastView(ForecastMetric metric, Duration horizon, double value, double lower, double upper,
                               double level, String model) {
    }

    /** The planner's latest view of one volume. */
    public record Insight(HeatLevel heat, double heatScore, Map<String, Double> nodes,
                          Map<String, Double> applications, List<ForecastView> forecasts, Instant computedAt) {
    }

    /** Why a replica was removed by the planner (there is no VolumeMigration kind for a removal). */
    public enum RemovalKind {
        /** A pre-staged replica that was not read within its expiry. */
        PreStageExpired,
        /** An evacuation replica whose predicted failure did not come within the rollback window. */
        EvacuationRolledBack,
        /** A mirror beyond what the heat class asks for. */
        SurplusMirror
    }

    /** One removal as decided and carried out: which replica, why (with the scores), when, and whether it worked. */
    public record Removal(String replicaId, String node, String tier, RemovalKind kind, String explanation,
                          Instant at, boolean done, String error) {
    }

    /**
     * The last time the planner re-pointed a volume's reads to a kept copy (no VolumeMigration: nothing is copied or
     * dropped): to which replica, from which, why (ReadPlacement.Reason) with the numbers, and whether the agent did it.
     */
    public record ReadSwitch(String replicaId, String node, String fromReplicaId, String fromNode, String reason,
                             String explanation, Instant at, boolean done, String error) {
    }

    private final Map<String, Insight> insights = new ConcurrentHashMap<>();
    private final Map<String, ReadSwitch> readSwitches = new ConcurrentHashMap<>();
    private final Map<String, Removal> removals = new ConcurrentHashMap<>();

    public void put(String volume, Insight insight) {
        insights.put(volume, insight);
    }

    public Insight get(String volume) {
        return insights.get(volume);
    }

    public void recordRemoval(String volume, Removal removal) {
        removals.put(volume, removal);
    }

    /** The last removal the planner made for the volume since this operator started, or null. */
    public Removal lastRemoval(String volume) {
        return removals.get(volume);
    }

    public void recordReadSwitch(String volume, ReadSwitch s) {
        readSwitches.put(volume, s);
    }

    /** The last read-source switch the planner made for the volume since this operator started, or null. */
    public ReadSwitch lastReadSwitch(String volume) {
        return readSwitches.get(volume);
    }

    public void retain(java.util.Set<String> volumes) {
        insights.keySet().retainAll(volumes);
        readSwitches.keySet().retainAll(volumes);
        removals.keySet().retainAll(volumes);
    }

    public int size() {
        return insights.size();
    }
}
