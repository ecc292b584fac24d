package dev.prescient.operator.plan;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Everything the planner looks at in one pass: a snapshot, never mutated by the planner. */
public record ClusterView(Instant now, List<NodeView> nodes, List<VolumeView> volumes, List<InFlight> inFlight,
                          OperatorLimits limits) {

    /** A view whose only operator-wide cap is the cluster bandwidth (0: none). */
    public ClusterView(Instant now, List<NodeView> nodes, List<VolumeView> volumes, List<InFlight> inFlight,
                       long clusterBandwidthBytesPerSecond) {
        this(now, nodes, volumes, inFlight, OperatorLimits.clusterBandwidth(clusterBandwidthBytesPerSecond));
    }

    /**
     * A storage node: where it is, whether it takes new data, how likely it is to fail, room per tier, and since when
     * its failure model has not alerted ({@code calmSince}; null while it alerts or before its first assessment), so
     * an evacuation is rolled back only after a recovery that lasted, not on one calm pass.
     */
    public record NodeView(String name, String zone, boolean ready, boolean cordoned, double failureProbability,
                           double failureConfidence, Map<String, Long> availableBytesByTier,
                           long bandwidthBytesPerSecond, Instant calmSince) {

        /** A node never known to alert (scenario tables, the reactive baseline): calm since the epoch. */
        public NodeView(String name, String zone, boolean ready, boolean cordoned, double failureProbability,
                        double failureConfidence, Map<String, Long> availableBytesByTier,
                        long bandwidthBytesPerSecond) {
            this(name, zone, ready, cordoned, failureProbability, failureConfidence, availableBytesByTier,
                    bandwidthBytesPerSecond, Instant.EPOCH);
        }
    }

    /** Why a replica exists; mirrors the API's ReplicaRole. */
    public enum Role { Primary, Mirror, PreStaged, Evacuation }

    /** A replica as observed: on which node and tier, for what, since when, and when it was last read. */
    public record ReplicaView(String id, String node, String tier, Role role, boolean healthy, Instant createdAt,
                              Instant lastReadAt) {
    }

    /**
     * Used bytes forecast at the policy's capacity horizon: point, interval bounds (of coverage {@code level}) and
     * the model that made it, so a decision can cite it. {@code upperBytes} is the highest upper bound on the way.
     */
    public record CapacityForecast(long pointBytes, long lowerBytes, long upperBytes, double level, String model) {

        /** Only an upper bound is known (scenario tables, or a model whose interval is not calibrated yet). */
        public static CapacityForecast upperOnly(long upperBytes) {
            return new CapacityForecast(upperBytes, upperBytes, upperBytes, 0, "given");
        }

        public String describe() {
            if (level <= 0) {
                return String.format(java.util.Locale.ROOT, "%s: %d B, no interval yet", model, pointBytes);
            }
            return String.format(java.util.Locale.ROOT, "%s: %d B, %.0f%% interval %d..%d B", model, pointBytes,
                    level * 100, lowerBytes, upperBytes);
        }
    }

    /**
     * What the planner remembers of a volume's heat class between passes: since when its score has stayed below what
     * keeps it in its class and the highest score since (coolingSince null: not cooling), when it was last demoted,
     * and how many demotions in a row were undone by a prompt promotion (each doubles the next cooling). The planner
     * hands it back in each pass's desired placement; the loop carries it to the next pass and persists it.
     */
    public record HeatHistory(Instant coolingSince, double coolingPeak, Instant demotedAt, int regretted) {

        public static final HeatHistory NONE = new HeatHistory(null, 0, null, 0);

        HeatHistory notCooling() {
            return coolingSince == null ? this : new HeatHistory(null, 0, demotedAt, regretted);
        }
    }

    /**
     * A volume: its replicas, its heat score now, its affinity per node now and forecast over the lead time,
     * its capacity forecast at the policy horizon (null: not enough history for one yet), the planner's memory of
     * its heat class (null: none), and the node its primary last left by a move that dropped the source (null: none
     * known; with {@code lastMoveAt} it tells a reader returning to where the volume just came from).
     */
    public record VolumeView(String name, long capacityBytes, long usedBytes, int baseReplicas, List<ReplicaView> replicas,
                             double heatScore, HeatLevel currentHeat, Map<String, Double> affinityNow,
                             Map<String, Double> affinityForecast, CapacityForecast capacityForecast,
                             Instant lastMoveAt, Set<String> requiredNodes, Set<String> requiredZones,
                             HeatHistory heatHistory, String lastMovedFromNode) {

        /** Without knowing where the last move came from. */
        public VolumeView(String name, long capacityBytes, long usedBytes, int baseReplicas, List<ReplicaView> replicas,
                          double heatScore, HeatLevel currentHeat, Map<String, Double> affinityNow,
                          Map<String, Double> affinityForecast, CapacityForecast capacityForecast,
                          Instant lastMoveAt, Set<String> requiredNodes, Set<String> requiredZones,
                          HeatHistory heatHistory) {
            this(name, capacityBytes, usedBytes, baseReplicas, replicas, heatScore, currentHeat, affinityNow,
                    affinityForecast, capacityForecast, lastMoveAt, requiredNodes, requiredZones, heatHistory, null);
        }

        /** No heat history. */
        public VolumeView(String name, long capacityBytes, long usedBytes, int baseReplicas, List<ReplicaView> replicas,
                          double heatScore, HeatLevel currentHeat, Map<String, Double> affinityNow,
                          Map<String, Double> affinityForecast, CapacityForecast capacityForecast,
                          Instant lastMoveAt, Set<String> requiredNodes, Set<String> requiredZones) {
            this(name, capacityBytes, usedBytes, baseReplicas, replicas, heatScore, currentHeat, affinityNow,
                    affinityForecast, capacityForecast, lastMoveAt, requiredNodes, requiredZones, null);
        }

        /** With only the forecast's upper bound (scenario tables). */
        public VolumeView(String name, long capacityBytes, long usedBytes, int baseReplicas, List<ReplicaView> replicas,
                          double heatScore, HeatLevel currentHeat, Map<String, Double> affinityNow,
                          Map<String, Double> affinityForecast, long forecastUsedUpperBytes, Instant lastMoveAt,
                          Set<String> requiredNodes, Set<String> requiredZones) {
            this(name, capacityBytes, usedBytes, baseReplicas, replicas, heatScore, currentHeat, affinityNow,
                    affinityForecast, CapacityForecast.upperOnly(forecastUsedUpperBytes), lastMoveAt, requiredNodes,
                    requiredZones);
        }

        public ReplicaView primary() {
            for (ReplicaView r : replicas) {
                if (r.role() == Role.Primary) {
                    return r;
                }
            }
            return replicas.isEmpty() ? null : replicas.get(0);
        }

        public boolean hasReplicaOn(String node) {
            for (ReplicaView r : replicas) {
                if (r.node().equals(node)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** A migration that is running or queued: it holds concurrency and bandwidth on both ends. */
    public record InFlight(String volume, String fromNode, String toNode, long bandwidthBytesPerSecond) {
    }
}
