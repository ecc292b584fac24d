package dev.prescient.csi.node;

import dev.prescient.api.v1alpha1.node.StorageNode;
import dev.prescient.api.v1alpha1.node.StorageNodeSpec;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Objects;
import java.util.Optional;

/**
 * A node plugin announces itself: it creates (or corrects) the StorageNode named after its
 * Kubernetes node with its agent endpoint and zone, which is how the controller and the operator
 * find it. It never touches {@code spec.cordoned} (a person's or the operator's decision) or the status.
 */
public final class StorageNodeRegistration {
    public static final String ZONE_LABEL = "topology.kubernetes.io/zone";

    private StorageNodeRegistration() {
    }

    /** The zone label of the Kubernetes node, if the node and label exist. */
    public static Optional<String> zoneOfNode(KubernetesClient client, String nodeName) {
        Node n = client.nodes().withName(nodeName).get();
        if (n == null || n.getMetadata().getLabels() == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(n.getMetadata().getLabels().get(ZONE_LABEL)).filter(z -> !z.isEmpty());
    }

    /** Creates or updates the StorageNode; returns it as stored. */
    public static StorageNode register(KubernetesClient client, String nodeName, String zone, String agentEndpoint) {
        var resources = client.resources(StorageNode.class);
        StorageNode existing = resources.withName(nodeName).get();
        if (existing == null) {
            StorageNode n = new StorageNode();
            n.setMetadata(new ObjectMetaBuilder().withName(nodeName).build());
            StorageNodeSpec spec = new StorageNodeSpec();
            spec.setNodeName(nodeName);
            spec.setZone(zone);
            spec.setAgentEndpoint(agentEndpoint);
            spec.setCordoned(false);
            n.setSpec(spec);
            return resources.resource(n).create();
        }
        StorageNodeSpec spec = existing.getSpec();
        if (spec != null && Objects.equals(spec.getZone(), zone) && Objects.equals(spec.getAgentEndpoint(), agentEndpoint)) {
            return existing;
        }
        return resources.withName(nodeName).edit(n -> {
            if (n.getSpec() == null) {
                n.setSpec(new StorageNodeSpec());
                n.getSpec().setNodeName(nodeName);
            }
            n.getSpec().setZone(zone);
            n.getSpec().setAgentEndpoint(agentEndpoint);
            return n;
        });
    }
}
