package dev.prescient.local.api;

import dev.prescient.api.v1alpha1.node.StorageNode;
import dev.prescient.api.v1alpha1.node.StorageNodeSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Map;

/**
 * Registers the local node processes as StorageNodes (name, zone, agent endpoint), as each node plugin registers
 * itself in a cluster. Only the spec: the operator owns the status (health, failure probability) and fills it
 * from the agents.
 */
public final class NodeRegistration {
    private NodeRegistration() {
    }

    public static void register(KubernetesClient client, Map<String, String> agentEndpoints) {
        agentEndpoints.forEach((name, endpoint) -> {
            StorageNode n = new StorageNode();
            n.setMetadata(new ObjectMetaBuilder().withName(name).build());
            StorageNodeSpec spec = new StorageNodeSpec();
            spec.setNodeName(name);
            spec.setZone("zone-" + name);
            spec.setAgentEndpoint(endpoint);
            n.setSpec(spec);
            client.resource(n).createOr(existing -> existing.update());
        });
    }
}
