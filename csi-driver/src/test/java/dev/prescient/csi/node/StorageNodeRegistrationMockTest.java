package dev.prescient.csi.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescient.api.v1alpha1.node.StorageNode;
import dev.prescient.api.v1alpha1.node.StorageNodeStatus;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import org.junit.jupiter.api.Test;

/** A node plugin registering its StorageNode, against the fabric8 mock API server in CRUD mode. */
@EnableKubernetesMockClient(crud = true)
class StorageNodeRegistrationMockTest {
    KubernetesClient client;

    @Test
    void createsThenCorrectsKeepingCordonAndStatus() {
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName("worker-1")
                .addToLabels(StorageNodeRegistration.ZONE_LABEL, "zone-7").endMetadata().build()).create();
        assertThat(StorageNodeRegistration.zoneOfNode(client, "worker-1")).contains("zone-7");
        assertThat(StorageNodeRegistration.zoneOfNode(client, "worker-2")).isEmpty();

        StorageNodeRegistration.register(client, "worker-1", "zone-7", "10.0.0.1:7443");
        StorageNode sn = client.resources(StorageNode.class).withName("worker-1").get();
        assertThat(sn.getSpec().getNodeName()).isEqualTo("worker-1");
        assertThat(sn.getSpec().getAgentEndpoint()).isEqualTo("10.0.0.1:7443");
        assertThat(sn.getSpec().getZone()).isEqualTo("zone-7");
        assertThat(sn.getSpec().getCordoned()).isFalse();

        // Someone cordons the node and the operator writes status; the plugin restarts on a new IP.
        client.resources(StorageNode.class).withName("worker-1").edit(n -> {
            n.getSpec().setCordoned(true);
            return n;
        });
        StorageNode withStatus = client.resources(StorageNode.class).withName("worker-1").get();
        StorageNodeStatus st = new StorageNodeStatus();
        st.setHealthScore(0.5);
        withStatus.setStatus(st);
        client.resources(StorageNode.class).resource(withStatus).updateStatus();

        StorageNodeRegistration.register(client, "worker-1", "zone-7", "10.0.0.2:7443");
        sn = client.resources(StorageNode.class).withName("worker-1").get();
        assertThat(sn.getSpec().getAgentEndpoint()).isEqualTo("10.0.0.2:7443");
        assertThat(sn.getSpec().getCordoned()).isTrue();
        assertThat(sn.getStatus().getHealthScore()).isEqualTo(0.5);

        // Same facts again: nothing written.
        String rv = sn.getMetadata().getResourceVersion();
        StorageNodeRegistration.register(client, "worker-1", "zone-7", "10.0.0.2:7443");
        assertThat(client.resources(StorageNode.class).withName("worker-1").get().getMetadata().getResourceVersion())
                .isEqualTo(rv);
    }
}
