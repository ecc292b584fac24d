package dev.prescient.csi.controller;

import dev.prescient.api.nodeagent.v1.NodeAgentGrpc;
import dev.prescient.csi.CsiException;
import dev.prescient.csi.agent.AgentTls;
import java.util.ArrayList;
import java.util.List;

/**
 * Node agents from a fixed list ({@code node-1=10.0.0.5:7443@zone-a,...}): for tests and hand
 * use. In a cluster the controller finds them through StorageNode resources ({@link KubeNodeAgents}).
 */
public final class StaticNodeAgents implements NodeAgents, AutoCloseable {
    private final List<AgentNode> nodes;
    private final AgentChannels channels;

    public StaticNodeAgents(List<AgentNode> nodes, AgentTls tls, long deadlineMillis) {
        this.nodes = List.copyOf(nodes);
        this.channels = new AgentChannels(tls, deadlineMillis);
    }

    /** Parses {@code id=host:port@zone} entries separated by commas. */
    public static List<AgentNode> parse(String spec) {
        List<AgentNode> out = new ArrayList<>();
        if (spec == null || spec.isBlank()) {
            return out;
        }
        for (String entry : spec.split(",")) {
            String e = entry.trim();
            int eq = e.indexOf('=');
            int at = e.lastIndexOf('@');
            if (eq <= 0 || at < eq) {
                throw new IllegalArgumentException("node agent entry must be id=host:port@zone, got " + e);
            }
            out.add(new AgentNode(e.substring(0, eq), e.substring(at + 1), e.substring(eq + 1, at)));
        }
        return out;
    }

    @Override
    public List<AgentNode> nodes() {
        return nodes;
    }

    @Override
    public NodeAgentGrpc.NodeAgentBlockingStub stub(String nodeId) {
        AgentNode n = nodes.stream().filter(x -> x.nodeId().equals(nodeId)).findFirst()
                .orElseThrow(() -> CsiException.notFound("no node agent known for node " + nodeId));
        return channels.stub(n);
    }

    @Override
    public void close() {
        channels.close();
    }
}
