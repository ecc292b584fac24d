package dev.prescient.operator.plan;

import dev.prescient.operator.plan.ClusterView.InFlight;
import dev.prescient.operator.plan.ClusterView.NodeView;
import dev.prescient.operator.plan.Plan.Deferred;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which of a pass's candidate moves start now: in priority order (protecting data first, then by benefit) within
 * the concurrency and bandwidth limits of the policy and the operator, counted over every migration in flight. Pure.
 */
final class Admission {

    private final PlannerSettings settings;

    Admission(PlannerSettings settings) {
        this.settings = settings;
    }

    private static int priority(ActionKind k) {
        return k.ordinal();
    }

    /**
     * Admits the candidates in priority order within the concurrency and bandwidth limits: the policy's and the
     * operator's (the tighter applies), counted over every migration in flight. A migration is granted the policy's
     * bandwidth clipped to the per-node caps of both ends and the cluster cap, so a slow node still gets moves,
     * slower ones; it waits when the bandwidth left is below half of what it would be granted.
     */
    void admit(ClusterView view, List<PlannedAction> candidates, List<PlannedAction> admitted,
               List<Deferred> deferred) {
        candidates.sort(Comparator.comparingInt((PlannedAction a) -> priority(a.kind()))
                .thenComparing(Comparator.comparingDouble(PlannedAction::benefit).reversed())
                .thenComparing(PlannedAction::volume));
        OperatorLimits limits = view.limits();
        Map<String, Integer> perNode = new HashMap<>();
        Map<String, Long> nodeBandwidth = new HashMap<>();
        Map<String, Long> nodeBandwidthLimit = new HashMap<>();
        for (NodeView n : view.nodes()) {
            nodeBandwidthLimit.put(n.name(), OperatorLimits.tighter(n.bandwidthBytesPerSecond(),
                    limits.bandwidthFor(n.name())));
        }
        int clusterConcurrency = (int) OperatorLimits.tighter(settings.maxConcurrentPerCluster(),
                limits.maxConcurrentCluster());
        long clusterLimit = limits.clusterBandwidth();
        int cluster = 0;
        long clusterBandwidth = 0;
        for (InFlight f : view.inFlight()) {
            cluster++;
            clusterBandwidth += f.bandwidthBytesPerSecond();
            for (String node : ends(f.fromNode(), f.toNode())) {
                perNode.merge(node, 1, Integer::sum);
                nodeBandwidth.merge(node, f.bandwidthBytesPerSecond(), Long::sum);
            }
        }
        for (PlannedAction a : candidates) {
            List<String> ends = ends(a.fromNode(), a.toNode());
            long bw = OperatorLimits.tighter(settings.bandwidthPerMigration(), clusterLimit);
            for (String node : ends) {
                bw = OperatorLimits.tighter(bw, nodeBandwidthLimit.getOrDefault(node, 0L));
            }
            String why = null;
            if (cluster >= clusterConcurrency) {
                why = "cluster-wide concurrency limit " + clusterConcurrency + " reached"
                        + source(settings.maxConcurrentPerCluster(), limits.maxConcurrentCluster());
            } else if (clusterLimit > 0 && clusterLimit - clusterBandwidth < Math.max(1, bw / 2)) {
                why = "cluster-wide bandwidth limit " + clusterLimit + " B/s reached (" + clusterBandwidth
                        + " B/s in use)";
            } else {
                for (String node : ends) {
                    int cap = (int) OperatorLimits.tighter(settings.maxConcurrentPerNode(), limits.concurrencyFor(node));
                    if (perNode.getOrDefault(node, 0) >= cap) {
                        why = "per-node concurrency limit " + cap + " reached on " + node
                                + source(settings.maxConcurrentPerNode(), limits.concurrencyFor(node));
                        break;
                    }
                    long limit = nodeBandwidthLimit.getOrDefault(node, 0L);
                    if (limit > 0 && limit - nodeBandwidth.getOrDefault(node, 0L) < Math.max(1, bw / 2)) {
                        why = "bandwidth limit " + limit + " B/s reached on " + node + " ("
                                + nodeBandwidth.getOrDefault(node, 0L) + " B/s in use)";
                        break;
                    }
                }
            }
            if (why != null) {
                deferred.add(new Deferred(a, why));
                continue;
            }
            // Grant what is left, up to the clipped per-migration bandwidth.
            if (clusterLimit > 0) {
                bw = Math.min(bw, clusterLimit - clusterBandwidth);
            }
            for (String node : ends) {
                long limit = nodeBandwidthLimit.getOrDefault(node, 0L);
                if (limit > 0) {
                    bw = Math.min(bw, limit - nodeBandwidth.getOrDefault(node, 0L));
                }
            }
            admitted.add(a.withBandwidth(bw));
            cluster++;
            clusterBandwidth += bw;
            for (String node : ends) {
                perNode.merge(node, 1, Integer::sum);
                nodeBandwidth.merge(node, bw, Long::sum);
            }
        }
    }

    /** Which side set a cap, for the deferral message. */
    private static String source(long policy, long operator) {
        return operator > 0 && (policy <= 0 || operator < policy) ? " (operator limit)" : " (policy limit)";
    }

    private static List<String> ends(String from, String to) {
        return from.equals(to) ? List.of(from) : List.of(from, to);
    }
}
