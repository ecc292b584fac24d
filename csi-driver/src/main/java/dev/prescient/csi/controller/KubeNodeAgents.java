package dev.prescient.csi.controller;

import dev.prescient.api.nodeagent.v1.NodeAgentGrpc;
import dev.prescient.api.v1alpha1.node.StorageNode;
import dev.prescient.csi.CsiException;
import dev.prescient.csi.agent.AgentTls;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Node agents discovered from StorageNode resources: an informer keeps a local cache of them, so
 * placement and every call read memory, not the API server. A StorageNode counts once it has
 * {@code spec.agentEndpoint}; {@code spec.zone} is its topology zone; {@code spec.cordoned} keeps
 * new volumes off it while its replicas stay reachable. A deleted StorageNode's node is unknown
 * from then on (its channel is closed).
 */
public final class KubeNodeAgents implements NodeAgents, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KubeNodeAgents.class);

    private final SharedIndexInformer<StorageNode> informer;
    private final AgentChannels channels;
    private volatile String startError;

    public KubeNodeAgents(KubernetesClient client, AgentTls tls, long deadlineMillis) {
        this.channels = new AgentChannels(tls, deadlineMillis);
        this.informer = client.resources(StorageNode.class).runnableInformer(0);
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(StorageNode n) {
                LOG.info("StorageNode/{}: agent {} zone {}{}", name(n), endpoint(n), zone(n),
                        cordoned(n) ? " (cordoned)" : "");
            }

            @Override
            public void onUpdate(StorageNode old, StorageNode n) {
                if (!endpoint(old).equals(endpoint(n)) || cordoned(old) != cordoned(n) || !zone(old).equals(zone(n))) {
                    onAdd(n);
                }
            }

            @Override
            public void onDelete(StorageNode n, boolean finalStateUnknown) {
                LOG.info("StorageNode/{} removed", name(n));
                channels.drop(nodeId(n));
            }
        });
        // Not blocking: until the first list arrives, Probe says not ready (see notReadyReason).
        informer.start().whenComplete((ok, err) -> {
            if (err != null) {
                // e.g. the CRD is not installed or RBAC forbids list/watch: Probe says so.
                startError = err.toString();
                LOG.error("StorageNode informer failed to start: {}", startError);
            }
        });
    }

    /** The agent directory the StorageNodes describe, by node id; those without an endpoint are left out. */
    public static List<AgentNode> fromStorageNodes(Collection<StorageNode> storageNodes) {
        List<AgentNode> out = new ArrayList<>();
        for (StorageNode n : storageNodes) {
            if (endpoint(n).isEmpty()) {
                continue;
            }
            out.add(new AgentNode(nodeId(n), zone(n), endpoint(n), cordoned(n)));
        }
        out.sort(Comparator.comparing(AgentNode::nodeId));
        return out;
    }

    /** The CSI node id is the Kubernetes node name: spec.nodeName, else the resource's name. */
    static String nodeId(StorageNode n) {
        String spec = n.getSpec() == null ? null : n.getSpec().getNodeName();
        return spec == null || spec.isEmpty() ? name(n) : spec;
    }

    private static String name(StorageNode n) {
        return n.getMetadata().getName();
    }

    private static String endpoint(StorageNode n) {
        return n.getSpec() == null || n.getSpec().getAgentEndpoint() == null ? "" : n.getSpec().getAgentEndpoint();
    }

    private static String zone(StorageNode n) {
        return n.getSpec() == null || n.getSpec().getZone() == null ? "" : n.getSpec().getZone();
    }

    private static boolean cordoned(StorageNode n) {
        return n.getSpec() != null && Boolean.TRUE.equals(n.getSpec().getCordoned());
    }

    @Override
    public List<AgentNode> nodes() {
        return fromStorageNodes(informer.getStore().list());
    }

    @Override
    public NodeAgentGrpc.NodeAgentBlockingStub stub(String nodeId) {
        AgentNode n = nodes().stream().filter(x -> x.nodeId().equals(nodeId)).findFirst()
                .orElseThrow(() -> CsiException.notFound("no StorageNode with an agentEndpoint for node " + nodeId));
        return channels.stub(n);
    }

    /** For Probe: not ready until the StorageNodes have been listed once. */
    public Optional<String> notReadyReason() {
        if (informer.hasSynced()) {
            return Optional.empty();
        }
        String err = startError;
        return Optional.of(err == null ? "StorageNode resources not listed yet"
                : "cannot list/watch StorageNode resources: " + err);
    }

    @Override
    public void close() {
        informer.close();
        channels.close();
    }
}
