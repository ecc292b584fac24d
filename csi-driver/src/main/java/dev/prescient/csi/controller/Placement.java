package dev.prescient.csi.controller;

import dev.prescient.csi.CsiException;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Chooses the node of a new volume's first replica from CSI topology: only nodes matching a
 * requisite segment (when any is given), those matching an earlier preferred segment first,
 * then the one with the most free space on the tier.
 */
public final class Placement {
    public static final String ZONE_KEY = "topology.kubernetes.io/zone";
    public static final String NODE_KEY = "topology.prescient.dev/node";

    /** A node as the planner sees it: its topology labels and free bytes on the wanted tier. */
    public record Candidate(String nodeId, String zone, long availableBytes) {
        public Map<String, String> segment() {
            return Map.of(ZONE_KEY, zone, NODE_KEY, nodeId);
        }
    }

    private Placement() {
    }

    public static boolean matches(Candidate c, Map<String, String> segment) {
        Map<String, String> own = c.segment();
        for (var e : segment.entrySet()) {
            if (!e.getValue().equals(own.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /**
     * A StorageClass naming a tier no node has is a typo or a missing StorageTier, not a full
     * cluster: INVALID_ARGUMENT naming the tier and the ones that exist, so the user fixes the
     * class instead of waiting for space. When no node answered at all, nothing is known and
     * placement reports that instead.
     */
    public static void requireKnownTier(String tier, java.util.Set<String> tiersOnNodes) {
        if (!tiersOnNodes.isEmpty() && !tiersOnNodes.contains(tier)) {
            throw CsiException.invalid("StorageClass parameter " + ControllerService.PARAM_TIER + " '" + tier
                    + "' is not a tier of any node; the tiers that exist: " + String.join(", ", new java.util.TreeSet<>(tiersOnNodes)));
        }
    }

    public static List<Candidate> rank(List<Candidate> nodes, List<Map<String, String>> requisite,
            List<Map<String, String>> preferred, long sizeBytes) {
        List<Candidate> eligible = new ArrayList<>();
        for (Candidate c : nodes) {
            boolean inRequisite = requisite.isEmpty() || requisite.stream().anyMatch(s -> matches(c, s));
            if (inRequisite && c.availableBytes() >= sizeBytes) {
                eligible.add(c);
            }
        }
        if (eligible.isEmpty()) {
            throw new CsiException(Status.Code.RESOURCE_EXHAUSTED, "NoEligibleNode",
                    "no node in the requested topology has " + sizeBytes + " bytes free (candidates: "
                            + nodes.size() + ")");
        }
        eligible.sort(Comparator.comparingInt((Candidate c) -> preferenceIndex(c, preferred))
                .thenComparing(Comparator.comparingLong(Candidate::availableBytes).reversed())
                .thenComparing(Candidate::nodeId));
        return eligible;
    }

    private static int preferenceIndex(Candidate c, List<Map<String, String>> preferred) {
        for (int i = 0; i < preferred.size(); i++) {
            if (matches(c, preferred.get(i))) {
                return i;
            }
        }
        return Integer.MAX_VALUE;
    }
}
