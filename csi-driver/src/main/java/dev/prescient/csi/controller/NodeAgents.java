package dev.prescient.csi.controller;

import dev.prescient.api.nodeagent.v1.NodeAgentGrpc;
import java.util.List;

/** The node agents the controller can reach, and where they are in the topology. */
public interface NodeAgents {

    /**
     * @param cordoned a cordoned node gets no new volumes; its existing replicas stay reachable
     */
    record AgentNode(String nodeId, String zone, String address, boolean cordoned) {
        public AgentNode(String nodeId, String zone, String address) {
            this(nodeId, zone, address, false);
        }
    }

    /** Every known node, cordoned ones included. */
    List<AgentNode> nodes();

    /** A stub with a deadline set; throws NOT_FOUND for an unknown node. */
    NodeAgentGrpc.NodeAgentBlockingStub stub(String nodeId);
}
