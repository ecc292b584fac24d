package dev.prescient.operator.agent;

/** Finds the agent of a node and the address other agents use to reach it for replication. */
public interface NodeAgents {

    /** @throws NodeAgentException Unavailable when the node has no known agent */
    NodeAgentClient forNode(String node);

    /** host:port other agents pull replica data from. */
    String replicationAddress(String node);
}
