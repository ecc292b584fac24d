package dev.prescient.csi.controller;

import dev.prescient.api.nodeagent.v1.NodeHealth;
import dev.prescient.api.nodeagent.v1.NodeHealthRequest;
import dev.prescient.api.nodeagent.v1.TierUsage;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What the nodes offer for a new volume on a tier (CreateVolume's placement, GetCapacity): one health call each. */
final class NodeOffers {
    private static final Logger LOG = LoggerFactory.getLogger(NodeOffers.class);

    private NodeOffers() {
    }

    /**
     * @param candidates every reachable, uncordoned node with its free bytes on the tier; others offer nothing
     * @param tiers the tiers any reachable node has, cordoned ones included (a cordon does not unmake a tier)
     */
    record Offer(List<Placement.Candidate> candidates, Set<String> tiers) {
    }

    static Offer gather(NodeAgents agents, String tier) {
        List<Placement.Candidate> out = new ArrayList<>();
        Set<String> tiers = new TreeSet<>();
        for (var n : agents.nodes()) {
            try {
                NodeHealth h = agents.stub(n.nodeId()).getNodeHealth(NodeHealthRequest.getDefaultInstance());
                h.getTiersList().forEach(t -> tiers.add(t.getTier()));
                if (n.cordoned()) {
                    continue;
                }
                long free = h.getTiersList().stream().filter(t -> t.getTier().equals(tier))
                        .mapToLong(TierUsage::getAvailableBytes).sum();
                out.add(new Placement.Candidate(n.nodeId(), n.zone(), free));
            } catch (StatusRuntimeException e) {
                LOG.warn("node {} left out of placement: {}", n.nodeId(), e.getStatus());
            }
        }
        return new Offer(out, tiers);
    }
}
