package dev.prescient.operator.plan;

import dev.prescient.operator.plan.ClusterView.NodeView;
import dev.prescient.operator.plan.ClusterView.ReplicaView;
import dev.prescient.operator.plan.ClusterView.Role;
import dev.prescient.operator.plan.ClusterView.VolumeView;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Which kept copy serves a volume's reads (the node agents' SetReadSource: no data moves, no copy is dropped).
 * Pure: the same view and read sources give the same switches. Two reasons, in this order:
 *
 * <ol>
 *   <li><b>Leave a failing disk</b>: the read source is on a node predicted to fail (the planner's evacuation test:
 *       probability at or above the threshold with enough confidence) and a healthy copy exists elsewhere: reads go
 *       there, preferring a copy on the reader's node, else on the node reading most. A copy still being filled is
 *       not healthy and is not chosen (the engine would refuse it anyway: a member out of sync never serves
 *       reads).</li>
 *   <li><b>Read where the reader is</b>: one node issues at least {@code readerShare} of the volume's reads now, the
 *       read source is not on it, and a healthy copy is (pre-staged, a mirror, an evacuation copy): reads go to
 *       that copy. This is a reaction to the access observed now, so the reactive baseline does it too; what only
 *       the predictive planner does is put the copy there before the reader arrives.</li>
 * </ol>
 *
 * Reads also follow a confident forecast a little earlier: once the reader's node reads more than the source's
 * node and the affinity forecast gives it {@code readerShare} or more over the lead time. The reactive baseline's
 * forecast is what it observes now, so for it this adds nothing.
 *
 * <p>Hysteresis: shares sum to 1, so with {@code readerShare} above one half only one node at a time can pull the reads,
 * and it must keep the majority of the reads for the switch to stand; random access from several nodes never
 * reaches it. Nothing is switched to a node that is not ready or is itself failing.
 */
public final class ReadPlacement {

    /** Why reads move. */
    public enum Reason { LeaveFailingDisk, ReaderLocal }

    /** The replica serving a volume's reads now, as the volume's front-end reports it (node of the front-end). */
    public record Current(String frontEndNode, String frontEndReplicaId, String readSourceReplicaId) {
    }

    /** One decision: make {@code replicaId} (on {@code node}) the read source of {@code volume}, and why. */
    public record Switch(String volume, String frontEndNode, String replicaId, String node, String fromReplicaId,
                         String fromNode, Reason reason, String explanation) {
    }

    public static final double DEFAULT_READER_SHARE = 0.6;

    private final PlannerSettings settings;
    private final double readerShare;

    public ReadPlacement(PlannerSettings settings) {
        this(settings, DEFAULT_READER_SHARE);
    }

    /** @param readerShare the share of a volume's reads one node must issue for reads to follow it (above 0.5) */
    public ReadPlacement(PlannerSettings settings, double readerShare) {
        if (!(readerShare > 0.5 && readerShare <= 1)) {
            throw new IllegalArgumentException("reader share must be in (0.5, 1]: " + readerShare);
        }
        this.settings = settings;
        this.readerShare = readerShare;
    }

    private boolean failing(NodeView n) {
        return n != null && settings.evacuationEnabled() && n.ready() && n.failureProbability() >= settings.failureThreshold()
                && n.failureConfidence() >= settings.minConfidence();
    }

    /** @param current per volume, its front-end's read source (volumes without one are left alone) */
    public List<Switch> decide(ClusterView view, Map<String, Current> current) {
        Map<String, NodeView> nodes = new HashMap<>();
        for (NodeView n : view.nodes()) {
            nodes.put(n.name(), n);
        }
        List<Switch> out = new ArrayList<>();
        for (VolumeView v : view.volumes()) {
            Current cur = current.get(v.name());
            if (cur == null || cur.readSourceReplicaId() == null || cur.readSourceReplicaId().isEmpty()
                    || settings.excludedVolumes().contains(v.name())) {
                continue;
            }
            ReplicaView src = v.replicas().stream().filter(r -> r.id().equals(cur.readSourceReplicaId())).findFirst()
                    .orElse(null);
            if (src == null) {
                continue; // a replica the agents do not list (being deleted): the next pass sees the outcome
            }
            String reader = null;
            double share = 0;
            for (Map.Entry<String, Double> e : v.affinityNow().entrySet()) {
                if (e.getValue() > share || e.getValue() == share && reader != null && e.getKey().compareTo(reader) < 0) {
                    reader = e.getKey();
                    share = e.getValue();
                }
            }
            List<ReplicaView> usable = new ArrayList<>();
            for (ReplicaView r : v.replicas()) {
                NodeView n = nodes.get(r.node());
                if (r != src && r.healthy() && n != null && n.ready() && !failing(n)
                        && !settings.excludedNodes().contains(r.node())) {
                    usable.add(r);
                }
            }
            String readerNode = reader;
            Comparator<ReplicaView> best = Comparator
                    .comparing((ReplicaView r) -> !r.node().equals(readerNode))
                    .thenComparing(r -> -v.affinityNow().getOrDefault(r.node(), 0d))
                    .thenComparing(r -> rank(r.role()))
                    .thenComparing(ReplicaView::id);
            NodeView srcNode = nodes.get(src.node());
            if (failing(srcNode)) {
                ReplicaView to = usable.stream().min(best).orElse(null);
                if (to != null) {
                    out.add(new Switch(v.name(), cur.frontEndNode(), to.id(), to.node(), src.id(), src.node(),
                            Reason.LeaveFailingDisk, String.format(Locale.ROOT,
                            "volume %s: reads came from %s on %s, predicted to fail (probability %.2f >= %.2f, "
                                    + "confidence %.2f >= %.2f); healthy copy %s on %s/%s (%s) serves them now%s",
                            v.name(), src.id(), src.node(), srcNode.failureProbability(), settings.failureThreshold(),
                            srcNode.failureConfidence(), settings.minConfidence(), to.id(), to.node(), to.tier(),
                            to.role(), to.node().equals(readerNode) ? ", on the reader's node" : "")));
                }
                continue;
            }
            if (reader == null || src.node().equals(reader)) {
                continue;
            }
            // Now, or on a confident forecast: the reader's node already reads more than the source's node and is
            // forecast to keep the majority over the lead time. The reactive view's forecast is what it observes
            // now, so there this is the first test again; only a forecast can make the switch earlier.
            double srcShare = v.affinityNow().getOrDefault(src.node(), 0d);
            double ahead = v.affinityForecast().getOrDefault(reader, 0d);
            boolean now = share >= readerShare;
            if (!now && !(share > srcShare && ahead >= readerShare)) {
                continue;
            }
            String because = now ? String.format(Locale.ROOT, "%.0f%% of its reads come from %s (>= %.0f%%)",
                    share * 100, reader, readerShare * 100)
                    : String.format(Locale.ROOT, "%.0f%% of its reads come from %s, more than from %s (%.0f%%), and "
                    + "the forecast gives %s %.0f%% (>= %.0f%%)", share * 100, reader, src.node(), srcShare * 100,
                    reader, ahead * 100, readerShare * 100);
            ReplicaView to = usable.stream().filter(r -> r.node().equals(readerNode)).min(best).orElse(null);
            if (to != null) {
                out.add(new Switch(v.name(), cur.frontEndNode(), to.id(), to.node(), src.id(), src.node(),
                        Reason.ReaderLocal, String.format(Locale.ROOT,
                        "volume %s: %s; read source %s is on %s; copy %s on %s/%s (%s, in sync) serves them now, no "
                                + "data moved", v.name(), because, src.id(), src.node(), to.id(), to.node(), to.tier(),
                        to.role())));
            }
        }
        return out;
    }

    /** Lasting copies before short-lived ones when several are on the same node. */
    private static int rank(Role r) {
        return switch (r) {
            case Primary -> 0;
            case Mirror -> 1;
            case Evacuation -> 2;
            case PreStaged -> 3;
        };
    }
}
