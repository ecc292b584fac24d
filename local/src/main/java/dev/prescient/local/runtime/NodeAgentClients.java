package dev.prescient.local.runtime;

import dev.prescient.api.nodeagent.v1.NodeAgentGrpc;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** Plaintext gRPC channels to the local node agents (loopback only; the cluster uses mTLS). */
public final class NodeAgentClients implements AutoCloseable {
    private final Map<String, String> addresses;
    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();

    public NodeAgentClients(Map<String, String> addresses) {
        this.addresses = Map.copyOf(addresses);
    }

    public String address(String node) {
        String a = addresses.get(node);
        if (a == null) {
            throw new IllegalArgumentException("no node agent for node " + node);
        }
        return a;
    }

    public NodeAgentGrpc.NodeAgentBlockingStub stub(String node) {
        ManagedChannel ch = channels.computeIfAbsent(node, n -> {
            String a = address(n);
            int colon = a.lastIndexOf(':');
            return NettyChannelBuilder.forAddress(a.substring(0, colon), Integer.parseInt(a.substring(colon + 1)))
                    .usePlaintext().build();
        });
        return NodeAgentGrpc.newBlockingStub(ch).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        channels.values().forEach(ManagedChannel::shutdownNow);
    }
}
