package dev.prescient.csi.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import csi.v1.Csi;
import dev.prescient.api.v1alpha1.node.StorageNode;
import dev.prescient.api.v1alpha1.node.StorageNodeSpec;
import dev.prescient.csi.CsiException;
import dev.prescient.csi.Recorder;
import dev.prescient.csi.agent.AgentTls;
import dev.prescient.testkit.FakeNodeAgent;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Discovery of node agents from StorageNode resources, against the fabric8 mock API server in
 * CRUD mode (real HTTP and watches), with two fake node agents on real TCP ports: a node that
 * appears later is used, a cordoned one gets no new volumes but keeps serving its own, a removed
 * one is unknown.
 */
@EnableKubernetesMockClient(crud = true)
class KubeNodeAgentsMockTest {
    static final long GIB = 1L << 30;
    KubernetesClient client;
    FakeNodeAgent a;
    FakeNodeAgent b;
    String addrA;
    String addrB;

    @BeforeEach
    void start() throws Exception {
        a = new FakeNodeAgent("node-a", "zone-1").tierCapacity("default", 100 * GIB);
        b = new FakeNodeAgent("node-b", "zone-2").tierCapacity("default", 10 * GIB);
        addrA = a.start();
        addrB = b.start();
    }

    @AfterEach
    void stop() {
        a.stop();
        b.stop();
    }

    StorageNode storageNode(String name, String zone, String endpoint, boolean cordoned) {
        StorageNode n = new StorageNode();
        n.setMetadata(new ObjectMetaBuilder().withName(name).build());
        StorageNodeSpec spec = new StorageNodeSpec();
        spec.setNodeName(name);
        spec.setZone(zone);
        spec.setAgentEndpoint(endpoint);
        spec.setCordoned(cordoned);
        n.setSpec(spec);
        return n;
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not seen within 20 s: " + what);
            }
            Thread.sleep(20);
        }
    }

    static <Q, R> R call(BiConsumer<Q, StreamObserver<R>> method, Q request) {
        Recorder<R> out = new Recorder<>();
        method.accept(request, out);
        if (out.error != null) {
            throw (StatusRuntimeException) out.error;
        }
        return out.values.get(0);
    }

    static Csi.CreateVolumeRequest create(String name, String zone) {
        var b = Csi.CreateVolumeRequest.newBuilder().setName(name)
                .setCapacityRange(Csi.CapacityRange.newBuilder().setRequiredBytes(GIB))
                .addVolumeCapabilities(Csi.VolumeCapability.newBuilder()
                        .setMount(Csi.VolumeCapability.MountVolume.getDefaultInstance())
                        .setAccessMode(Csi.VolumeCapability.AccessMode.newBuilder()
                                .setMode(Csi.VolumeCapability.AccessMode.Mode.SINGLE_NODE_MULTI_WRITER)));
        if (zone != null) {
            b.setAccessibilityRequirements(Csi.TopologyRequirement.newBuilder()
                    .addRequisite(Csi.Topology.newBuilder().putSegments(Placement.ZONE_KEY, zone)));
        }
        return b.build();
    }

    static String nodeOf(Csi.CreateVolumeResponse r) {
        return r.getVolume().getAccessibleTopology(0).getSegmentsOrThrow(Placement.NODE_KEY);
    }

    @Test
    void nodesAppearGetCordonedAndLeave() throws Exception {
        var nodes = client.resources(StorageNode.class);
        nodes.resource(storageNode("node-a", "zone-1", addrA, false)).create();
        // Without an endpoint a StorageNode is not (yet) an agent.
        nodes.resource(storageNode("node-b", "zone-2", null, false)).create();
        try (KubeNodeAgents agents = new KubeNodeAgents(client, AgentTls.insecurePlaintext(), 10_000)) {
            await("informer synced", () -> agents.notReadyReason().isEmpty());
            assertThat(agents.nodes()).containsExactly(new NodeAgents.AgentNode("node-a", "zone-1", addrA, false));
            var ctl = new ControllerService(new InMemoryVolumeRegistry(), agents, new VolumeSizing(1L << 40),
                    uri -> java.util.Optional.empty());

            var v1 = call(ctl::createVolume, create("pvc-1", null));
            assertThat(nodeOf(v1)).isEqualTo("node-a");
            assertThatThrownBy(() -> call(ctl::createVolume, create("pvc-zone2", "zone-2")))
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));

            // node-b's plugin registers its endpoint later: it becomes a placement target at once.
            long t0 = System.nanoTime();
            nodes.withName("node-b").edit(n -> {
                n.getSpec().setAgentEndpoint(addrB);
                return n;
            });
            await("node-b discovered", () -> agents.nodes().size() == 2);
            System.out.printf("StorageNode edit -> usable agent (mock API server watch): %.1f ms%n",
                    (System.nanoTime() - t0) / 1e6);
            var v2 = call(ctl::createVolume, create("pvc-2", "zone-2"));
            assertThat(nodeOf(v2)).isEqualTo("node-b");
            assertThat(b.replicas()).containsKey(v2.getVolume().getVolumeId() + "-r0");
            var cap = call(ctl::getCapacity, Csi.GetCapacityRequest.getDefaultInstance());
            assertThat(cap.getMaximumVolumeSize().getValue()).isEqualTo(99 * GIB);  // node-a: 100 GiB - pvc-1

            // Cordon node-a (the roomier node): new volumes go to node-b, node-a's volume still works.
            nodes.withName("node-a").edit(n -> {
                n.getSpec().setCordoned(true);
                return n;
            });
            await("node-a cordoned", () -> agents.nodes().get(0).cordoned());
            var v3 = call(ctl::createVolume, create("pvc-3", null));
            assertThat(nodeOf(v3)).isEqualTo("node-b");
            var published = call(ctl::controllerPublishVolume, Csi.ControllerPublishVolumeRequest.newBuilder()
                    .setVolumeId(v1.getVolume().getVolumeId()).setNodeId("node-a")
                    .setVolumeCapability(create("x", null).getVolumeCapabilities(0)).build());
            assertThat(published.getPublishContextMap()).containsKey(ControllerService.CTX_NBD_URI);
            call(ctl::controllerUnpublishVolume, Csi.ControllerUnpublishVolumeRequest.newBuilder()
                    .setVolumeId(v1.getVolume().getVolumeId()).setNodeId("node-a").build());
            assertThat(call(ctl::controllerGetVolume, Csi.ControllerGetVolumeRequest.newBuilder()
                    .setVolumeId(v1.getVolume().getVolumeId()).build()).getStatus().getVolumeCondition().getAbnormal())
                    .isFalse();
            call(ctl::deleteVolume, Csi.DeleteVolumeRequest.newBuilder().setVolumeId(v1.getVolume().getVolumeId()).build());
            assertThat(a.replicas()).doesNotContainKey(v1.getVolume().getVolumeId() + "-r0");

            // node-b leaves: unknown for publish, its volume's condition says why.
            nodes.withName("node-b").delete();
            await("node-b gone", () -> agents.nodes().size() == 1);
            assertThatThrownBy(() -> agents.stub("node-b")).isInstanceOfSatisfying(CsiException.class,
                    e -> assertThat(e.code()).isEqualTo(Status.Code.NOT_FOUND));
            assertThatThrownBy(() -> call(ctl::controllerPublishVolume, Csi.ControllerPublishVolumeRequest.newBuilder()
                    .setVolumeId(v2.getVolume().getVolumeId()).setNodeId("node-b")
                    .setVolumeCapability(create("x", null).getVolumeCapabilities(0)).build()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
            var cond = call(ctl::controllerGetVolume, Csi.ControllerGetVolumeRequest.newBuilder()
                    .setVolumeId(v2.getVolume().getVolumeId()).build()).getStatus().getVolumeCondition();
            assertThat(cond.getAbnormal()).isTrue();
            assertThat(cond.getMessage()).contains("node-b", "not known");
            // Only the cordoned node is left: nowhere to put a new volume.
            assertThatThrownBy(() -> call(ctl::createVolume, create("pvc-4", null)))
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
        }
    }

    @Test
    void unreachableApiServerKeepsProbeNotReadyWithTheReason() throws Exception {
        var dead = new io.fabric8.kubernetes.client.KubernetesClientBuilder().withConfig(
                new io.fabric8.kubernetes.client.ConfigBuilder().withMasterUrl("http://127.0.0.1:1")
                        .withRequestRetryBackoffLimit(0).build()).build();
        try (dead; KubeNodeAgents agents = new KubeNodeAgents(dead, AgentTls.insecurePlaintext(), 1000)) {
            await("start failure reported", () -> agents.notReadyReason().orElse("").startsWith("cannot list/watch"));
            assertThat(agents.nodes()).isEmpty();
        }
    }

    @Test
    void storageNodesMapToTheAgentDirectory() {
        var noName = storageNode("sn-x", "zone-9", "10.0.0.9:7443", false);
        noName.getSpec().setNodeName(null);
        assertThat(KubeNodeAgents.fromStorageNodes(List.of(
                storageNode("node-b", "zone-2", "10.0.0.2:7443", true),
                storageNode("node-c", null, null, false),
                noName,
                storageNode("node-a", "zone-1", "[fd00::1]:7443", false)))).containsExactly(
                new NodeAgents.AgentNode("node-a", "zone-1", "[fd00::1]:7443", false),
                new NodeAgents.AgentNode("node-b", "zone-2", "10.0.0.2:7443", true),
                new NodeAgents.AgentNode("sn-x", "zone-9", "10.0.0.9:7443", false));
    }
}
