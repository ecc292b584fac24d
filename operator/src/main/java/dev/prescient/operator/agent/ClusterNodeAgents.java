package dev.prescient.operator.agent;

import dev.prescient.api.v1alpha1.node.StorageNode;
import dev.prescient.operator.observe.ClusterReads;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds node agents through the StorageNode resources (spec.agentEndpoint) and keeps one gRPC channel per
 * endpoint. A changed endpoint gets a new channel; the old one is closed.
 */
public final class ClusterNodeAgents implements NodeAgents, AutoCloseable {

    private record Entry(String endpoint, GrpcNodeAgentClient client) {
    }

    private final ClusterReads reads;
    private final GrpcNodeAgentClient.Tls tls;
    private final Duration deadline;
    private final Map<String, Entry> clients = new ConcurrentHashMap<>();

    public ClusterNodeAgents(KubernetesClient kube, GrpcNodeAgentClient.Tls tls, Duration deadline) {
        this(ClusterReads.listing(kube), tls, deadline);
    }

    /** @param reads where StorageNodes are read (the operator: its informer cache, not a GET per call) */
    public ClusterNodeAgents(ClusterReads reads, GrpcNodeAgentClient.Tls tls, Duration deadline) {
        this.reads = reads;
        this.tls = tls;
        this.deadline = deadline;
    }

    private String endpoint(String node) {
        StorageNode sn = reads.get(StorageNode.class, node);
        if (sn == null || sn.getSpec() == null || sn.getSpec().getAgentEndpoint() == null) {
            throw new NodeAgentException(NodeAgentException.Reason.Unavailable, node,
                    "no StorageNode with an agentEndpoint");
        }
        return sn.getSpec().getAgentEndpoint();
    }

    @Override
    public NodeAgentClient forNode(String node) {
        String ep = endpoint(node);
        Entry e = clients.compute(node, (k, old) -> {
            if (old != null && old.endpoint.equals(ep)) {
                return old;
            }
            if (old != null) {
                old.client.close();
            }
            return new Entry(ep, new GrpcNodeAgentClient(node, ep, tls, deadline));
        });
        return e.client;
    }

    @Override
    public String replicationAddress(String node) {
        return endpoint(node);
    }

    @Override
    public void close() {
        clients.values().forEach(e -> e.client.close());
        clients.clear();
    }
}
