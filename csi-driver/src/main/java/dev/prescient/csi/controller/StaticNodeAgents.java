package dev.prescient.csi.controller;

import dev.prescient.api.nodeagent.v1.NodeAgentGrpc;
import dev.prescient.csi.CsiException;
import dev.prescient.csi.agent.AgentTls;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Node agents from a fixed list ({@code node-1=10.0.0.5:7443@zone-a,...}). The operator's
 * StorageNode resources will replace the list once they carry the agent address.
 */
public final class StaticNodeAgents implements NodeAgents, AutoCloseable {
    private final List<AgentNode> nodes;
    private final AgentTls tls;
    private final long deadlineMillis;
    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();

    public StaticNodeAgents(List<AgentNode> nodes, AgentTls tls, long deadlineMillis) {
        this.nodes = List.copyOf(nodes);
        this.tls = tls;
        this.deadlineMillis = deadlineMillis;
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
        ManagedChannel ch = channels.computeIfAbsent(nodeId, id -> {
            try {
                return tls.channel(n.address());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        return NodeAgentGrpc.newBlockingStub(ch).withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        channels.values().forEach(ManagedChannel::shutdownNow);
    }
}
