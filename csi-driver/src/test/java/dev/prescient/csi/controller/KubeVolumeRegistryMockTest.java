package dev.prescient.csi.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The registry against the fabric8 mock API server in CRUD mode: real HTTP, real JSON. */
@EnableKubernetesMockClient(crud = true)
class KubeVolumeRegistryMockTest {
    KubernetesClient client;

    VolumeRecord volume(String id) {
        return new VolumeRecord(id, "pvc-" + id, 1L << 30, Map.of("tier", "nvme", "mirrorPolicy", "hot"), "snapshot",
                "snap-1", "node-a", "zone-1", "nvme", 2, "hot", "Pending", Set.of(), Set.of());
    }

    @Test
    void volumesRoundTripAsReplicatedVolumes() {
        KubeVolumeRegistry r = new KubeVolumeRegistry(client, "prescient-system");
        assertThat(r.notReadyReason()).isEmpty();
        r.putVolume(volume("pv-b"));
        r.putVolume(volume("pv-a"));
        assertThat(r.volume("pv-b")).contains(volume("pv-b"));
        assertThat(r.volumes()).extracting(VolumeRecord::id).containsExactly("pv-a", "pv-b");

        GenericKubernetesResource raw = client.genericKubernetesResources(KubeVolumeRegistry.RVOL).withName("pv-a").get();
        assertThat(raw.getKind()).isEqualTo("ReplicatedVolume");
        @SuppressWarnings("unchecked")
        Map<String, Object> spec = (Map<String, Object>) raw.getAdditionalProperties().get("spec");
        assertThat(spec).containsEntry("initialTier", "nvme").containsEntry("policy", "hot")
                .containsEntry("replicas", 2).containsEntry("capacityBytes", 1 << 30)
                .containsEntry("source", Map.of("snapshot", "snap-1"))
                .containsEntry("placement", Map.of("preferredNodes", java.util.List.of("node-a")));

        // An update keeps what someone else wrote (the operator's status and annotations).
        raw.getMetadata().getAnnotations().put("operator.prescient.dev/note", "keep");
        raw.setAdditionalProperty("status", Map.of("phase", "Healthy"));
        client.genericKubernetesResources(KubeVolumeRegistry.RVOL).resource(raw).update();
        VolumeRecord published = volume("pv-a").withPhase("Ready").withPublished(Set.of("node-a"), Set.of("node-a"));
        r.putVolume(published);
        assertThat(r.volume("pv-a")).contains(published);
        GenericKubernetesResource after = client.genericKubernetesResources(KubeVolumeRegistry.RVOL).withName("pv-a").get();
        assertThat(after.getMetadata().getAnnotations()).containsEntry("operator.prescient.dev/note", "keep");
        assertThat(after.getAdditionalProperties()).containsKey("status");

        r.deleteVolume("pv-a");
        assertThat(r.volume("pv-a")).isEmpty();
        assertThat(r.volumes()).hasSize(1);
    }

    @Test
    void snapshotsRoundTripAsLabelledConfigMaps() {
        KubeVolumeRegistry r = new KubeVolumeRegistry(client, "prescient-system");
        SnapshotRecord s = new SnapshotRecord("snap-1", "vs-1", "pv-a", "node-a", 1L << 30, 1_700_000_000_123L, true);
        r.putSnapshot(s);
        r.putSnapshot(s);
        assertThat(r.snapshot("snap-1")).contains(s);
        assertThat(r.snapshots()).containsExactly(s);
        r.deleteSnapshot("snap-1");
        assertThat(r.snapshot("snap-1")).isEmpty();
        assertThat(r.snapshots()).isEmpty();
    }

    @Test
    void theControllerWorksOnTopOfIt() throws Exception {
        var node = new dev.prescient.testkit.FakeNodeAgent("node-a", "zone-1");
        String addr = node.start();
        try (var agents = new StaticNodeAgents(java.util.List.of(new NodeAgents.AgentNode("node-a", "zone-1", addr)),
                dev.prescient.csi.agent.AgentTls.insecurePlaintext(), 10_000)) {
            var svc = new ControllerService(new KubeVolumeRegistry(client, "prescient-system"), agents,
                    new VolumeSizing(1L << 40));
            var out = new dev.prescient.csi.Recorder<csi.v1.Csi.CreateVolumeResponse>();
            csi.v1.Csi.CreateVolumeRequest req = csi.v1.Csi.CreateVolumeRequest.newBuilder().setName("pvc-1")
                    .addVolumeCapabilities(csi.v1.Csi.VolumeCapability.newBuilder()
                            .setMount(csi.v1.Csi.VolumeCapability.MountVolume.getDefaultInstance())
                            .setAccessMode(csi.v1.Csi.VolumeCapability.AccessMode.newBuilder()
                                    .setMode(csi.v1.Csi.VolumeCapability.AccessMode.Mode.SINGLE_NODE_WRITER)))
                    .putParameters("mirrorPolicy", "hot").build();
            svc.createVolume(req, out);
            assertThat(out.error).isNull();
            String id = out.values.get(0).getVolume().getVolumeId();
            GenericKubernetesResource rv = client.genericKubernetesResources(KubeVolumeRegistry.RVOL).withName(id).get();
            assertThat(rv.getMetadata().getAnnotations()).containsEntry("csi.prescient.dev/phase", "Ready")
                    .containsEntry("csi.prescient.dev/name", "pvc-1");
            assertThat(node.replicas()).containsKey(id + "-r0");
        } finally {
            node.stop();
        }
    }
}
