package dev.prescient.operator.plan;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Everything the planner looks at in one pass: a snapshot, never mutated by the planner. */
public record ClusterView(Instant now, List<NodeView> nodes, List<VolumeView> volumes, List<InFlight> inFlight,
                          long clusterBandwidthBytesPerSecond) {

    /** A storage node: where it is, whether it takes new data, how likely it is to fail, and room per tier. */
    public record NodeView(String name, String zone, boolean ready, boolean cordoned, double failureProbability,
                           double failureConfidence, Map<String, Long> availableBytesByTier,
                           long bandwidthBytesPerSecond) {
    }

    /** Why a replica exists; mirrors the API's ReplicaRole. */
    public enum Role { Primary, Mirror, PreStaged, Evacuation }

    /** A replica as observed: on which node and tier, for what, since when, and when it was last read. */
    public record ReplicaView(String id, String node, String tier, Role role, boolean healthy, Instant createdAt,
                              Instant lastReadAt) {
    }

    /**
     * A volume: its replicas, its heat score now, its affinity per node now and forecast over the lead time,
     * and its capacity forecast (upper bound of the interval at the policy horizon).
     */
    public record VolumeView(String name, long capacityBytes, long usedBytes, int baseReplicas, List<ReplicaView> replicas,
                             double heatScore, HeatLevel currentHeat, Map<String, Double> affinityNow,
                             Map<String, Double> affinityForecast, long forecastUsedUpperBytes, Instant lastMoveAt,
                             Set<String> requiredNodes, Set<String> requiredZones) {

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
