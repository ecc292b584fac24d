package dev.prescient.csi.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The registry against a real API server, only when KUBECONFIG names one (with the Prescient
 * CRDs from crds/ applied and a namespace PRESCIENT_NAMESPACE, default prescient-system).
 * Without KUBECONFIG it is reported as skipped, never as passed.
 */
class KubeVolumeRegistryClusterIT {
    @Test
    void roundTripOnARealCluster() {
        assumeTrue(System.getenv("KUBECONFIG") != null, "KUBECONFIG not set: no real API server given");
        try (KubernetesClient client = new KubernetesClientBuilder().build()) {
            String ns = System.getenv().getOrDefault("PRESCIENT_NAMESPACE", "prescient-system");
            KubeVolumeRegistry r = new KubeVolumeRegistry(client, ns);
            assertThat(r.notReadyReason()).isEmpty();
            String id = "pv-it-" + UUID.randomUUID();
            VolumeRecord v = new VolumeRecord(id, "it", 1L << 30, Map.of("tier", "default"), "", "", "node-a", "zone-1",
                    "default", 1, "", "Ready", Set.of(), Set.of());
            try {
                r.putVolume(v);
                assertThat(r.volume(id)).contains(v);
                r.putVolume(v.withPublished(Set.of("node-a"), Set.of()));
                assertThat(r.volume(id).orElseThrow().publishedNodes()).containsExactly("node-a");
            } finally {
                r.deleteVolume(id);
            }
        }
    }
}
