package dev.prescient.csi.controller;

import dev.prescient.api.nodeagent.v1.NodeAgentGrpc;
import dev.prescient.csi.agent.AgentTls;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One gRPC channel per node agent, made on first use. A node whose address changed gets a new
 * channel (the old one is closed); a node that left is dropped.
 */
final class AgentChannels implements AutoCloseable {
    private record Entry(String address, ManagedChannel channel) {
    }

    private final AgentTls tls;
    private final long deadlineMillis;
    private final Map<String, Entry> channels = new ConcurrentHashMap<>();

    AgentChannels(AgentTls tls, long deadlineMillis) {
        this.tls = tls;
        this.deadlineMillis = deadlineMillis;
    }

    NodeAgentGrpc.NodeAgentBlockingStub stub(NodeAgents.AgentNode n) {
        Entry e = channels.compute(n.nodeId(), (id, old) -> {
            if (old != null && old.address().equals(n.address())) {
                return old;
            }
            if (old != null) {
                old.channel().shutdown();
            }
            try {
                return new Entry(n.address(), tls.channel(n.address()));
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        });
        return NodeAgentGrpc.newBlockingStub(e.channel()).withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS);
    }

    void drop(String nodeId) {
        Entry e = channels.remove(nodeId);
        if (e != null) {
            e.channel().shutdown();
        }
    }

    @Override
    public void close() {
        channels.values().forEach(e -> e.channel().shutdownNow());
        channels.clear();
    }
}
