package dev.prescient.csi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import csi.v1.ControllerGrpc;
import csi.v1.Csi;
import csi.v1.IdentityGrpc;
import dev.prescient.csi.agent.AgentTls;
import dev.prescient.testkit.FakeNodeAgent;
import dev.prescient.csi.controller.ControllerService;
import dev.prescient.csi.controller.InMemoryVolumeRegistry;
import dev.prescient.csi.controller.NodeAgents;
import dev.prescient.csi.controller.StaticNodeAgents;
import dev.prescient.csi.controller.VolumeSizing;
import dev.prescient.csi.identity.IdentityService;
import dev.prescient.csi.server.UnixSocketServers;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * CSI conformance, table-driven, written from the CSI specification's error tables: the
 * identity and controller services over the real UNIX socket, backed by two fake node agents
 * on real TCP ports.
 */
class CsiConformanceIT {
    static final long GIB = 1L << 30;

    @TempDir
    Path dir;
    FakeNodeAgent nodeA;
    FakeNodeAgent nodeB;
    StaticNodeAgents agents;
    /** NBD URIs the controller's export probe finds down (the probe itself: NbdProbeTest, VolumeConditionIT). */
    final java.util.Set<String> downExports = java.util.concurrent.ConcurrentHashMap.newKeySet();
    Server server;
    ManagedChannel channel;
    ControllerGrpc.ControllerBlockingStub ctl;
    IdentityGrpc.IdentityBlockingStub id;

    @BeforeEach
    void start() throws Exception {
        nodeA = new FakeNodeAgent("node-a", "zone-1");
        nodeB = new FakeNodeAgent("node-b", "zone-2");
        String a = nodeA.start();
        String b = nodeB.start();
        agents = new StaticNodeAgents(List.of(new NodeAgents.AgentNode("node-a", "zone-1", a),
                new NodeAgents.AgentNode("node-b", "zone-2", b)), AgentTls.insecurePlaintext(), 10_000);
        InMemoryVolumeRegistry registry = new InMemoryVolumeRegistry();
        Path sock = dir.resolve("csi.sock");
        server = UnixSocketServers.start(sock, List.of(new IdentityService(true, List.of(registry::notReadyReason)),
                new ControllerService(registry, agents, new VolumeSizing(10 * GIB),
                        uri -> downExports.contains(uri) ? java.util.Optional.of(uri + " refused") : java.util.Optional.empty())));
        channel = UnixSocketServers.channel(sock);
        ctl = ControllerGrpc.newBlockingStub(channel);
        id = IdentityGrpc.newBlockingStub(channel);
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow();
        server.shutdownNow();
        agents.close();
        nodeA.stop();
        nodeB.stop();
    }

    static Csi.VolumeCapability mount(String fs) {
        return Csi.VolumeCapability.newBuilder().setMount(Csi.VolumeCapability.MountVolume.newBuilder().setFsType(fs))
                .setAccessMode(Csi.VolumeCapability.AccessMode.newBuilder()
                        .setMode(Csi.VolumeCapability.AccessMode.Mode.SINGLE_NODE_WRITER)).build();
    }

    static Csi.VolumeCapability block(Csi.VolumeCapability.AccessMode.Mode mode) {
        return Csi.VolumeCapability.newBuilder().setBlock(Csi.VolumeCapability.BlockVolume.getDefaultInstance())
                .setAccessMode(Csi.VolumeCapability.AccessMode.newBuilder().setMode(mode)).build();
    }

    static Csi.CreateVolumeRequest.Builder create(String name) {
        return Csi.CreateVolumeRequest.newBuilder().setName(name).addVolumeCapabilities(mount("ext4"))
                .setCapacityRange(Csi.CapacityRange.newBuilder().setRequiredBytes(GIB));
    }

    /** One row: a name, the call, the status the spec requires. */
    record Row(String name, Consumer<CsiConformanceIT> call, Status.Code expected) {
        @Override
        public String toString() {
            return name + " -> " + expected;
        }
    }

    static Stream<Row> errorTable() {
        var cap = mount("ext4");
        return Stream.of(
                // CreateVolume
                new Row("CreateVolume without name", t -> t.ctl.createVolume(create("").build()), Status.Code.INVALID_ARGUMENT),
                new Row("CreateVolume without capabilities",
                        t -> t.ctl.createVolume(create("v").clearVolumeCapabilities().build()), Status.Code.INVALID_ARGUMENT),
                new Row("CreateVolume capability without access mode", t -> t.ctl.createVolume(create("v")
                        .clearVolumeCapabilities().addVolumeCapabilities(Csi.VolumeCapability.newBuilder()
                                .setMount(Csi.VolumeCapability.MountVolume.getDefaultInstance())).build()),
                        Status.Code.INVALID_ARGUMENT),
                new Row("CreateVolume capability without access type", t -> t.ctl.createVolume(create("v")
                        .clearVolumeCapabilities().addVolumeCapabilities(Csi.VolumeCapability.newBuilder()
                                .setAccessMode(cap.getAccessMode())).build()), Status.Code.INVALID_ARGUMENT),
                new Row("CreateVolume unknown fsType", t -> t.ctl.createVolume(create("v").clearVolumeCapabilities()
                        .addVolumeCapabilities(mount("zfs")).build()), Status.Code.INVALID_ARGUMENT),
                new Row("CreateVolume multi-node writer", t -> t.ctl.createVolume(create("v").clearVolumeCapabilities()
                        .addVolumeCapabilities(block(Csi.VolumeCapability.AccessMode.Mode.MULTI_NODE_MULTI_WRITER))
                        .build()), Status.Code.INVALID_ARGUMENT),
                new Row("CreateVolume multi-node single writer", t -> t.ctl.createVolume(create("v").clearVolumeCapabilities()
                        .addVolumeCapabilities(block(Csi.VolumeCapability.AccessMode.Mode.MULTI_NODE_SINGLE_WRITER))
                        .build()), Status.Code.INVALID_ARGUMENT),
                new Row("CreateVolume multi-node reader", t -> t.ctl.createVolume(create("v").clearVolumeCapabilities()
                        .addVolumeCapabilities(block(Csi.VolumeCapability.AccessMode.Mode.MULTI_NODE_READER_ONLY))
                        .build()), Status.Code.INVALID_ARGUMENT),
                new Row("CreateVolume beyond the maximum size", t -> t.ctl.createVolume(create("v").setCapacityRange(
                        Csi.CapacityRange.newBuilder().setRequiredBytes(11 * GIB)).build()), Status.Code.OUT_OF_RANGE),
                new Row("CreateVolume required > limit", t -> t.ctl.createVolume(create("v").setCapacityRange(
                        Csi.CapacityRange.newBuilder().setRequiredBytes(2 * GIB).setLimitBytes(GIB)).build()),
                        Status.Code.INVALID_ARGUMENT),
                new Row("CreateVolume bad replicas parameter",
                        t -> t.ctl.createVolume(create("v").putParameters("replicas", "9").build()), Status.Code.INVALID_ARGUMENT),
                new Row("CreateVolume unknown parameter",
                        t -> t.ctl.createVolume(create("v").putParameters("tierr", "x").build()), Status.Code.INVALID_ARGUMENT),
                new Row("CreateVolume unknown tier",
                        t -> t.ctl.createVolume(create("v").putParameters("tier", "gold").build()), Status.Code.INVALID_ARGUMENT),
                new Row("CreateVolume snapshot source id with a path", t -> t.ctl.createVolume(create("v")
                        .setVolumeContentSource(Csi.VolumeContentSource.newBuilder().setSnapshot(
                                Csi.VolumeContentSource.SnapshotSource.newBuilder().setSnapshotId("../snap"))).build()),
                        Status.Code.INVALID_ARGUMENT),
                new Row("CreateVolume volume source id with a path", t -> t.ctl.createVolume(create("v")
                        .setVolumeContentSource(Csi.VolumeContentSource.newBuilder().setVolume(
                                Csi.VolumeContentSource.VolumeSource.newBuilder().setVolumeId("a/../b"))).build()),
                        Status.Code.INVALID_ARGUMENT),
                new Row("CreateVolume unknown snapshot source", t -> t.ctl.createVolume(create("v")
                        .setVolumeContentSource(Csi.VolumeContentSource.newBuilder().setSnapshot(
                                Csi.VolumeContentSource.SnapshotSource.newBuilder().setSnapshotId("snap-nope"))).build()),
                        Status.Code.NOT_FOUND),
                new Row("CreateVolume unknown volume source", t -> t.ctl.createVolume(create("v")
                        .setVolumeContentSource(Csi.VolumeContentSource.newBuilder().setVolume(
                                Csi.VolumeContentSource.VolumeSource.newBuilder().setVolumeId("pv-nope"))).build()),
                        Status.Code.NOT_FOUND),
                new Row("CreateVolume topology nobody has", t -> t.ctl.createVolume(create("v").setAccessibilityRequirements(
                        Csi.TopologyRequirement.newBuilder().addRequisite(Csi.Topology.newBuilder()
                                .putSegments("topology.kubernetes.io/zone", "zone-9"))).build()),
                        Status.Code.RESOURCE_EXHAUSTED),
                // ControllerGetVolume (GET_VOLUME)
                new Row("GetVolume without id", t -> t.ctl.controllerGetVolume(
                        Csi.ControllerGetVolumeRequest.getDefaultInstance()), Status.Code.INVALID_ARGUMENT),
                new Row("GetVolume unknown volume", t -> t.ctl.controllerGetVolume(
                        Csi.ControllerGetVolumeRequest.newBuilder().setVolumeId("pv-x").build()), Status.Code.NOT_FOUND),
                // Not advertised (MODIFY_VOLUME, GROUP_CONTROLLER_SERVICE), so not implemented.
                new Row("ModifyVolume", t -> t.ctl.controllerModifyVolume(Csi.ControllerModifyVolumeRequest.newBuilder()
                        .setVolumeId("pv-x").build()), Status.Code.UNIMPLEMENTED),
                new Row("GroupController", t -> csi.v1.GroupControllerGrpc.newBlockingStub(t.channel)
                        .groupControllerGetCapabilities(Csi.GroupControllerGetCapabilitiesRequest.getDefaultInstance()),
                        Status.Code.UNIMPLEMENTED),
                // DeleteVolume
                new Row("DeleteVolume without id", t -> t.ctl.deleteVolume(Csi.DeleteVolumeRequest.getDefaultInstance()),
                        Status.Code.INVALID_ARGUMENT),
                new Row("DeleteVolume id with a path", t -> t.ctl.deleteVolume(Csi.DeleteVolumeRequest.newBuilder()
                        .setVolumeId("../../../escape-vid").build()), Status.Code.INVALID_ARGUMENT),
                new Row("GetVolume id too long", t -> t.ctl.controllerGetVolume(Csi.ControllerGetVolumeRequest.newBuilder()
                        .setVolumeId("pv-" + "x".repeat(200)).build()), Status.Code.INVALID_ARGUMENT),
                // ControllerPublish
                new Row("Publish without volume id", t -> t.ctl.controllerPublishVolume(Csi.ControllerPublishVolumeRequest
                        .newBuilder().setNodeId("node-a").setVolumeCapability(cap).build()), Status.Code.INVALID_ARGUMENT),
                new Row("Publish without node id", t -> t.ctl.controllerPublishVolume(Csi.ControllerPublishVolumeRequest
                        .newBuilder().setVolumeId("pv-x").setVolumeCapability(cap).build()), Status.Code.INVALID_ARGUMENT),
                new Row("Publish without capability", t -> t.ctl.controllerPublishVolume(Csi.ControllerPublishVolumeRequest
                        .newBuilder().setVolumeId("pv-x").setNodeId("node-a").build()), Status.Code.INVALID_ARGUMENT),
                new Row("Publish id with a path", t -> t.ctl.controllerPublishVolume(Csi.ControllerPublishVolumeRequest
                        .newBuilder().setVolumeId("/etc/passwd").setNodeId("node-a").setVolumeCapability(cap).build()),
                        Status.Code.INVALID_ARGUMENT),
                new Row("Publish unknown volume", t -> t.ctl.controllerPublishVolume(Csi.ControllerPublishVolumeRequest
                        .newBuilder().setVolumeId("pv-x").setNodeId("node-a").setVolumeCapability(cap).build()),
                        Status.Code.NOT_FOUND),
                new Row("Unpublish without volume id", t -> t.ctl.controllerUnpublishVolume(
                        Csi.ControllerUnpublishVolumeRequest.getDefaultInstance()), Status.Code.INVALID_ARGUMENT),
                // ValidateVolumeCapabilities
                new Row("Validate without volume id", t -> t.ctl.validateVolumeCapabilities(
                        Csi.ValidateVolumeCapabilitiesRequest.newBuilder().addVolumeCapabilities(cap).build()),
                        Status.Code.INVALID_ARGUMENT),
                new Row("Validate without capabilities", t -> t.ctl.validateVolumeCapabilities(
                        Csi.ValidateVolumeCapabilitiesRequest.newBuilder().setVolumeId("pv-x").build()),
                        Status.Code.INVALID_ARGUMENT),
                new Row("Validate unknown volume", t -> t.ctl.validateVolumeCapabilities(
                        Csi.ValidateVolumeCapabilitiesRequest.newBuilder().setVolumeId("pv-x").addVolumeCapabilities(cap)
                                .build()), Status.Code.NOT_FOUND),
                // ListVolumes / ListSnapshots
                new Row("ListVolumes invalid token", t -> t.ctl.listVolumes(Csi.ListVolumesRequest.newBuilder()
                        .setStartingToken("garbage").build()), Status.Code.ABORTED),
                new Row("ListVolumes negative max", t -> t.ctl.listVolumes(Csi.ListVolumesRequest.newBuilder()
                        .setMaxEntries(-1).build()), Status.Code.INVALID_ARGUMENT),
                // Snapshots
                new Row("CreateSnapshot without name", t -> t.ctl.createSnapshot(Csi.CreateSnapshotRequest.newBuilder()
                        .setSourceVolumeId("pv-x").build()), Status.Code.INVALID_ARGUMENT),
                new Row("CreateSnapshot without source", t -> t.ctl.createSnapshot(Csi.CreateSnapshotRequest.newBuilder()
                        .setName("s").build()), Status.Code.INVALID_ARGUMENT),
                new Row("CreateSnapshot unknown source", t -> t.ctl.createSnapshot(Csi.CreateSnapshotRequest.newBuilder()
                        .setName("s").setSourceVolumeId("pv-x").build()), Status.Code.NOT_FOUND),
                new Row("CreateSnapshot source id with a path", t -> t.ctl.createSnapshot(Csi.CreateSnapshotRequest
                        .newBuilder().setName("s").setSourceVolumeId("../pv-x").build()), Status.Code.INVALID_ARGUMENT),
                new Row("DeleteSnapshot id with a path", t -> t.ctl.deleteSnapshot(Csi.DeleteSnapshotRequest.newBuilder()
                        .setSnapshotId("../../snap").build()), Status.Code.INVALID_ARGUMENT),
                new Row("DeleteSnapshot without id", t -> t.ctl.deleteSnapshot(Csi.DeleteSnapshotRequest.getDefaultInstance()),
                        Status.Code.INVALID_ARGUMENT),
                // Expand
                new Row("Expand without volume id", t -> t.ctl.controllerExpandVolume(Csi.ControllerExpandVolumeRequest
                        .newBuilder().setCapacityRange(Csi.CapacityRange.newBuilder().setRequiredBytes(GIB)).build()),
                        Status.Code.INVALID_ARGUMENT),
                new Row("Expand without capacity", t -> t.ctl.controllerExpandVolume(Csi.ControllerExpandVolumeRequest
                        .newBuilder().setVolumeId("pv-x").build()), Status.Code.INVALID_ARGUMENT),
                new Row("Expand unknown volume", t -> t.ctl.controllerExpandVolume(Csi.ControllerExpandVolumeRequest
                        .newBuilder().setVolumeId("pv-x").setCapacityRange(Csi.CapacityRange.newBuilder()
                                .setRequiredBytes(GIB)).build()), Status.Code.NOT_FOUND));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("errorTable")
    void specErrors(Row row) {
        assertThatThrownBy(() -> row.call().accept(this)).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).as(e.getStatus().toString()).isEqualTo(row.expected()));
        // A refused request reaches no node.
        assertThat(nodeA.calls("CreateReplica") + nodeB.calls("CreateReplica")).isZero();
    }

    @Test
    void identity() {
        var info = id.getPluginInfo(Csi.GetPluginInfoRequest.getDefaultInstance());
        assertThat(info.getName()).isEqualTo("csi.prescient.dev");
        assertThat(info.getVendorVersion()).isNotEmpty();
        var caps = id.getPluginCapabilities(Csi.GetPluginCapabilitiesRequest.getDefaultInstance());
        assertThat(caps.getCapabilitiesList()).extracting(c -> c.getService().getType()).contains(
                Csi.PluginCapability.Service.Type.CONTROLLER_SERVICE,
                Csi.PluginCapability.Service.Type.VOLUME_ACCESSIBILITY_CONSTRAINTS);
        // Expansion is OFFLINE (nbdfuse fixes the device size at connect; see IdentityService).
        assertThat(caps.getCapabilitiesList()).filteredOn(Csi.PluginCapability::hasVolumeExpansion)
                .extracting(c -> c.getVolumeExpansion().getType())
                .containsExactly(Csi.PluginCapability.VolumeExpansion.Type.OFFLINE);
        assertThat(caps.getCapabilitiesList()).filteredOn(Csi.PluginCapability::hasService).hasSize(2);
        assertThat(id.probe(Csi.ProbeRequest.getDefaultInstance()).getReady().getValue()).isTrue();
    }

    @Test
    void anUnknownTierNamesItselfAndTheTiersThatExistAndCreatesNothing() {
        nodeB.tierCapacity("hdd", 100 * GIB);
        assertThatThrownBy(() -> ctl.createVolume(create("data").putParameters("tier", "gold").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).isEqualTo("InvalidArgument: StorageClass parameter tier"
                            + " 'gold' is not a tier of any node; the tiers that exist: default, hdd");
                });
        assertThat(nodeA.calls("CreateReplica") + nodeB.calls("CreateReplica")).isZero();
        assertThat(ctl.listVolumes(Csi.ListVolumesRequest.getDefaultInstance()).getEntriesList()).isEmpty();
        // A tier that exists but has no room is still RESOURCE_EXHAUSTED.
        nodeB.tierCapacity("hdd", 0);
        assertThatThrownBy(() -> ctl.createVolume(create("data").putParameters("tier", "hdd").build()))
                .extracting(e -> ((StatusRuntimeException) e).getStatus().getCode())
                .isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    }

    @Test
    void createIsIdempotentByNameAndConflictsOnOtherParameters() {
        var first = ctl.createVolume(create("data").putParameters("tier", "default").build()).getVolume();
        var again = ctl.createVolume(create("data").putParameters("tier", "default").build()).getVolume();
        assertThat(again).isEqualTo(first);
        assertThat(nodeA.replicas().size() + nodeB.replicas().size()).isEqualTo(1);
        assertThat(first.getCapacityBytes()).isEqualTo(GIB);
        assertThat(first.getAccessibleTopologyList()).hasSize(1);
        assertThatThrownBy(() -> ctl.createVolume(create("data").setCapacityRange(
                Csi.CapacityRange.newBuilder().setRequiredBytes(2 * GIB)).build()))
                .extracting(e -> ((StatusRuntimeException) e).getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
        assertThatThrownBy(() -> ctl.createVolume(create("data").putParameters("replicas", "2").build()))
                .extracting(e -> ((StatusRuntimeException) e).getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
    }

    @Test
    void topologyRequisiteAndPreferredAreHonoured() {
        var req = Csi.TopologyRequirement.newBuilder()
                .addRequisite(Csi.Topology.newBuilder().putSegments("topology.kubernetes.io/zone", "zone-1"))
                .addRequisite(Csi.Topology.newBuilder().putSegments("topology.kubernetes.io/zone", "zone-2"))
                .addPreferred(Csi.Topology.newBuilder().putSegments("topology.kubernetes.io/zone", "zone-2"));
        var v = ctl.createVolume(create("topo").setAccessibilityRequirements(req).build()).getVolume();
        assertThat(v.getAccessibleTopology(0).getSegmentsMap()).containsEntry("topology.kubernetes.io/zone", "zone-2")
                .containsEntry("topology.prescient.dev/node", "node-b");
        assertThat(nodeB.replicas()).hasSize(1);
        var onlyA = Csi.TopologyRequirement.newBuilder()
                .addRequisite(Csi.Topology.newBuilder().putSegments("topology.prescient.dev/node", "node-a"));
        var w = ctl.createVolume(create("topo-a").setAccessibilityRequirements(onlyA).build()).getVolume();
        assertThat(w.getAccessibleTopology(0).getSegmentsMap()).containsEntry("topology.prescient.dev/node", "node-a");
    }

    @Test
    void tierCapacityDecidesPlacementAndGetCapacity() {
        nodeA.tierCapacity("nvme", 2 * GIB);
        var v = ctl.createVolume(create("fast").putParameters("tier", "nvme").build()).getVolume();
        assertThat(v.getAccessibleTopology(0).getSegmentsMap()).containsEntry("topology.prescient.dev/node", "node-a");
        assertThat(ctl.getCapacity(Csi.GetCapacityRequest.newBuilder().putParameters("tier", "nvme").build())
                .getAvailableCapacity()).isEqualTo(GIB);
        assertThat(ctl.getCapacity(Csi.GetCapacityRequest.newBuilder().setAccessibleTopology(Csi.Topology.newBuilder()
                .putSegments("topology.kubernetes.io/zone", "zone-2")).build()).getAvailableCapacity()).isEqualTo(100 * GIB);
        assertThatThrownBy(() -> ctl.createVolume(create("fast2").putParameters("tier", "nvme").setCapacityRange(
                Csi.CapacityRange.newBuilder().setRequiredBytes(2 * GIB)).build()))
                .extracting(e -> ((StatusRuntimeException) e).getStatus().getCode())
                .isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    }

    @Test
    void deleteRemovesEveryReplicaAndIsIdempotent() {
        var v = ctl.createVolume(create("gone").build()).getVolume();
        ctl.deleteVolume(Csi.DeleteVolumeRequest.newBuilder().setVolumeId(v.getVolumeId()).build());
        ctl.deleteVolume(Csi.DeleteVolumeRequest.newBuilder().setVolumeId(v.getVolumeId()).build());
        assertThat(nodeA.replicas()).isEmpty();
        assertThat(nodeB.replicas()).isEmpty();
        assertThat(ctl.listVolumes(Csi.ListVolumesRequest.getDefaultInstance()).getEntriesList()).isEmpty();
    }

    @Test
    void nodeAgentFailureCarriesItsStatusAndRetryCompletes() {
        nodeA.failAll(Status.UNAVAILABLE);
        nodeB.failNext("CreateReplica", Status.UNAVAILABLE);
        assertThatThrownBy(() -> ctl.createVolume(create("retry").build()))
                .extracting(e -> ((StatusRuntimeException) e).getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        var v = ctl.createVolume(create("retry").build()).getVolume();
        assertThat(nodeB.replicas()).containsKey(v.getVolumeId() + "-r0");
    }

    @Test
    void publishRecordsAttachmentAndIsExclusive() {
        var v = ctl.createVolume(create("pub").build()).getVolume();
        var req = Csi.ControllerPublishVolumeRequest.newBuilder().setVolumeId(v.getVolumeId()).setNodeId("node-a")
                .setVolumeCapability(mount("ext4")).build();
        var ctx = ctl.controllerPublishVolume(req).getPublishContextMap();
        assertThat(ctx).containsKey(ControllerService.CTX_NBD_URI);
        assertThat(ctl.controllerPublishVolume(req).getPublishContextMap()).isEqualTo(ctx);
        assertThatThrownBy(() -> ctl.controllerPublishVolume(req.toBuilder().setNodeId("node-b").build()))
                .extracting(e -> ((StatusRuntimeException) e).getStatus().getCode())
                .isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThatThrownBy(() -> ctl.controllerPublishVolume(req.toBuilder().setReadonly(true).build()))
                .extracting(e -> ((StatusRuntimeException) e).getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
        assertThatThrownBy(() -> ctl.controllerPublishVolume(req.toBuilder().setNodeId("node-z").build()))
                .extracting(e -> ((StatusRuntimeException) e).getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThatThrownBy(() -> ctl.deleteVolume(Csi.DeleteVolumeRequest.newBuilder().setVolumeId(v.getVolumeId()).build()))
                .extracting(e -> ((StatusRuntimeException) e).getStatus().getCode())
                .isEqualTo(Status.Code.FAILED_PRECONDITION);
        var un = Csi.ControllerUnpublishVolumeRequest.newBuilder().setVolumeId(v.getVolumeId()).setNodeId("node-a").build();
        ctl.controllerUnpublishVolume(un);
        ctl.controllerUnpublishVolume(un);
        ctl.controllerUnpublishVolume(un.toBuilder().setVolumeId("pv-unknown").build());
        ctl.controllerPublishVolume(req.toBuilder().setNodeId("node-b").build());
    }

    /** Calls a fake agent's service method directly, failing on an error reply. */
    static <T> void onFake(java.util.function.Consumer<io.grpc.stub.StreamObserver<T>> call) {
        call.accept(new io.grpc.stub.StreamObserver<>() {
            public void onNext(T value) {
            }

            public void onError(Throwable t) {
                throw new AssertionError(t);
            }

            public void onCompleted() {
            }
        });
    }

    @Test
    void publishAfterAMoveAttachesTheReplicaThatHoldsTheVolumeNow() {
        var v = ctl.createVolume(create("moved").build()).getVolume();
        FakeNodeAgent holder = nodeA.replicas().containsKey(v.getVolumeId() + "-r0") ? nodeA : nodeB;
        // A retier by the operator: the created replica r0 is replaced by the migration's replica on the same node.
        var r0 = holder.replicas().get(v.getVolumeId() + "-r0");
        CsiConformanceIT.<dev.prescient.api.nodeagent.v1.Replica>onFake(o -> holder.createReplica(dev.prescient.api.nodeagent.v1.CreateReplicaRequest.newBuilder().setReplicaId("mig-r")
                .setVolumeId(v.getVolumeId()).setTier(r0.getTier()).setSizeBytes(r0.getSizeBytes()).build(), o));
        CsiConformanceIT.<dev.prescient.api.nodeagent.v1.DeleteReplicaResponse>onFake(o -> holder.deleteReplica(dev.prescient.api.nodeagent.v1.DeleteReplicaRequest.newBuilder()
                .setReplicaId(r0.getReplicaId()).build(), o));
        var req = Csi.ControllerPublishVolumeRequest.newBuilder().setVolumeId(v.getVolumeId()).setNodeId(holder.nodeId())
                .setVolumeCapability(mount("ext4")).build();
        var ctx = ctl.controllerPublishVolume(req).getPublishContextMap();
        assertThat(ctx).containsEntry(ControllerService.CTX_REPLICA_ID, "mig-r")
                .containsEntry(ControllerService.CTX_NBD_URI, holder.replicas().get("mig-r").getNbdEndpoint())
                .containsEntry(ControllerService.CTX_REPLICA_NODE, holder.nodeId());
        ctl.controllerUnpublishVolume(Csi.ControllerUnpublishVolumeRequest.newBuilder().setVolumeId(v.getVolumeId())
                .setNodeId(holder.nodeId()).build());
        // Two healthy candidates and neither is the created one: no guess.
        CsiConformanceIT.<dev.prescient.api.nodeagent.v1.Replica>onFake(o -> holder.createReplica(dev.prescient.api.nodeagent.v1.CreateReplicaRequest.newBuilder().setReplicaId("copy-r")
                .setVolumeId(v.getVolumeId()).setTier(r0.getTier()).setSizeBytes(r0.getSizeBytes()).build(), o));
        assertThatThrownBy(() -> ctl.controllerPublishVolume(req)).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
            assertThat(e.getStatus().getDescription()).contains("ReplicaAmbiguous", "mig-r", "copy-r");
        });
    }

    @Test
    void validateConfirmsSupportedAndExplainsUnsupported() {
        var v = ctl.createVolume(create("val").build()).getVolume();
        var ok = ctl.validateVolumeCapabilities(Csi.ValidateVolumeCapabilitiesRequest.newBuilder()
                .setVolumeId(v.getVolumeId()).addVolumeCapabilities(mount("xfs")).build());
        assertThat(ok.hasConfirmed()).isTrue();
        var bad = ctl.validateVolumeCapabilities(Csi.ValidateVolumeCapabilitiesRequest.newBuilder()
                .setVolumeId(v.getVolumeId())
                .addVolumeCapabilities(block(Csi.VolumeCapability.AccessMode.Mode.MULTI_NODE_MULTI_WRITER)).build());
        assertThat(bad.hasConfirmed()).isFalse();
        assertThat(bad.getMessage()).contains("MULTI_NODE_MULTI_WRITER");
    }

    @Test
    void listVolumesPaginates() {
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            created.add(ctl.createVolume(create("page-" + i).build()).getVolume().getVolumeId());
        }
        List<String> seen = new ArrayList<>();
        String token = "";
        int pages = 0;
        do {
            var page = ctl.listVolumes(Csi.ListVolumesRequest.newBuilder().setMaxEntries(3).setStartingToken(token).build());
            assertThat(page.getEntriesCount()).isLessThanOrEqualTo(3);
            page.getEntriesList().forEach(e -> seen.add(e.getVolume().getVolumeId()));
            token = page.getNextToken();
            pages++;
        } while (!token.isEmpty());
        assertThat(pages).isEqualTo(3);
        assertThat(seen).containsExactlyInAnyOrderElementsOf(created).doesNotHaveDuplicates();
    }

    @Test
    void snapshotsAndVolumesFromThem() {
        var v = ctl.createVolume(create("src").build()).getVolume();
        var s = ctl.createSnapshot(Csi.CreateSnapshotRequest.newBuilder().setName("s1").setSourceVolumeId(v.getVolumeId())
                .build()).getSnapshot();
        assertThat(s.getReadyToUse()).isTrue();
        assertThat(s.getSourceVolumeId()).isEqualTo(v.getVolumeId());
        assertThat(ctl.createSnapshot(Csi.CreateSnapshotRequest.newBuilder().setName("s1")
                .setSourceVolumeId(v.getVolumeId()).build()).getSnapshot().getSnapshotId()).isEqualTo(s.getSnapshotId());
        var other = ctl.createVolume(create("src2").build()).getVolume();
        assertThatThrownBy(() -> ctl.createSnapshot(Csi.CreateSnapshotRequest.newBuilder().setName("s1")
                .setSourceVolumeId(other.getVolumeId()).build()))
                .extracting(e -> ((StatusRuntimeException) e).getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
        var restored = ctl.createVolume(create("restored").setVolumeContentSource(Csi.VolumeContentSource.newBuilder()
                .setSnapshot(Csi.VolumeContentSource.SnapshotSource.newBuilder().setSnapshotId(s.getSnapshotId())))
                .build()).getVolume();
        assertThat(restored.getContentSource().getSnapshot().getSnapshotId()).isEqualTo(s.getSnapshotId());
        assertThat(restored.getAccessibleTopology(0)).isEqualTo(v.getAccessibleTopology(0));
        var clone = ctl.createVolume(create("clone").setVolumeContentSource(Csi.VolumeContentSource.newBuilder()
                .setVolume(Csi.VolumeContentSource.VolumeSource.newBuilder().setVolumeId(v.getVolumeId()))).build())
                .getVolume();
        assertThat(clone.getContentSource().getVolume().getVolumeId()).isEqualTo(v.getVolumeId());
        assertThat(ctl.listSnapshots(Csi.ListSnapshotsRequest.newBuilder().setSourceVolumeId(v.getVolumeId()).build())
                .getEntriesList()).hasSize(1);
        assertThat(ctl.listSnapshots(Csi.ListSnapshotsRequest.newBuilder().setSnapshotId("snap-none").build())
                .getEntriesList()).isEmpty();
        ctl.deleteSnapshot(Csi.DeleteSnapshotRequest.newBuilder().setSnapshotId(s.getSnapshotId()).build());
        ctl.deleteSnapshot(Csi.DeleteSnapshotRequest.newBuilder().setSnapshotId(s.getSnapshotId()).build());
        assertThat(ctl.listSnapshots(Csi.ListSnapshotsRequest.getDefaultInstance()).getEntriesList()).isEmpty();
    }

    @Test
    void expandGrowsEveryReplicaAndIsIdempotent() {
        var v = ctl.createVolume(create("grow").build()).getVolume();
        var req = Csi.ControllerExpandVolumeRequest.newBuilder().setVolumeId(v.getVolumeId())
                .setCapacityRange(Csi.CapacityRange.newBuilder().setRequiredBytes(3 * GIB)).build();
        var r = ctl.controllerExpandVolume(req);
        assertThat(r.getCapacityBytes()).isEqualTo(3 * GIB);
        assertThat(r.getNodeExpansionRequired()).isTrue();
        assertThat(ctl.controllerExpandVolume(req).getCapacityBytes()).isEqualTo(3 * GIB);
        FakeNodeAgent holder = nodeA.replicas().isEmpty() ? nodeB : nodeA;
        assertThat(holder.replicas().get(v.getVolumeId() + "-r0").getSizeBytes()).isEqualTo(3 * GIB);
        assertThatThrownBy(() -> ctl.controllerExpandVolume(req.toBuilder().setCapacityRange(
                Csi.CapacityRange.newBuilder().setRequiredBytes(20 * GIB)).build()))
                .extracting(e -> ((StatusRuntimeException) e).getStatus().getCode()).isEqualTo(Status.Code.OUT_OF_RANGE);
    }

    @Test
    void concurrentCallOnTheSameVolumeIsAborted() throws Exception {
        var v = ctl.createVolume(create("busy").build()).getVolume();
        nodeA.delay(1500);
        nodeB.delay(1500);
        var slow = CompletableFuture.runAsync(() -> ctl.controllerExpandVolume(Csi.ControllerExpandVolumeRequest
                .newBuilder().setVolumeId(v.getVolumeId()).setCapacityRange(Csi.CapacityRange.newBuilder()
                        .setRequiredBytes(2 * GIB)).build()));
        Thread.sleep(300);
        assertThatThrownBy(() -> ctl.deleteVolume(Csi.DeleteVolumeRequest.newBuilder().setVolumeId(v.getVolumeId()).build()))
                .extracting(e -> ((StatusRuntimeException) e).getStatus().getCode()).isEqualTo(Status.Code.ABORTED);
        slow.get();
        nodeA.delay(0);
        nodeB.delay(0);
        ctl.deleteVolume(Csi.DeleteVolumeRequest.newBuilder().setVolumeId(v.getVolumeId()).build());
    }

    @Test
    void singleNodeWriterModesOfCsi15AreAccepted() {
        for (var mode : List.of(Csi.VolumeCapability.AccessMode.Mode.SINGLE_NODE_SINGLE_WRITER,
                Csi.VolumeCapability.AccessMode.Mode.SINGLE_NODE_MULTI_WRITER)) {
            var v = ctl.createVolume(create("mode-" + mode).clearVolumeCapabilities().addVolumeCapabilities(block(mode))
                    .build()).getVolume();
            var ok = ctl.validateVolumeCapabilities(Csi.ValidateVolumeCapabilitiesRequest.newBuilder()
                    .setVolumeId(v.getVolumeId()).addVolumeCapabilities(block(mode)).build());
            assertThat(ok.hasConfirmed()).as(mode.toString()).isTrue();
            var pub = ctl.controllerPublishVolume(Csi.ControllerPublishVolumeRequest.newBuilder()
                    .setVolumeId(v.getVolumeId()).setNodeId("node-a").setVolumeCapability(block(mode)).build());
            assertThat(pub.getPublishContextMap()).containsKey(ControllerService.CTX_NBD_URI);
            // Still one node at a time: these are single-node modes.
            assertThatThrownBy(() -> ctl.controllerPublishVolume(Csi.ControllerPublishVolumeRequest.newBuilder()
                    .setVolumeId(v.getVolumeId()).setNodeId("node-b").setVolumeCapability(block(mode)).build()))
                    .extracting(e -> ((StatusRuntimeException) e).getStatus().getCode())
                    .isEqualTo(Status.Code.FAILED_PRECONDITION);
        }
    }

    @Test
    void volumeConditionAndPublishedNodesInGetVolumeAndListVolumes() {
        var v = ctl.createVolume(create("cond").build()).getVolume();
        String node = v.getAccessibleTopology(0).getSegmentsOrThrow("topology.prescient.dev/node");
        FakeNodeAgent holder = node.equals("node-a") ? nodeA : nodeB;
        var get = Csi.ControllerGetVolumeRequest.newBuilder().setVolumeId(v.getVolumeId()).build();
        var healthy = ctl.controllerGetVolume(get);
        assertThat(healthy.getVolume()).isEqualTo(v);
        assertThat(healthy.getStatus().getPublishedNodeIdsList()).isEmpty();
        assertThat(healthy.getStatus().getVolumeCondition().getAbnormal()).isFalse();

        ctl.controllerPublishVolume(Csi.ControllerPublishVolumeRequest.newBuilder().setVolumeId(v.getVolumeId())
                .setNodeId("node-b").setVolumeCapability(mount("ext4")).build());
        var listed = ctl.listVolumes(Csi.ListVolumesRequest.getDefaultInstance()).getEntries(0);
        assertThat(listed.getStatus().getPublishedNodeIdsList()).containsExactly("node-b");
        assertThat(listed.getStatus().getVolumeCondition().getAbnormal()).isFalse();
        assertThat(ctl.controllerGetVolume(get).getStatus().getPublishedNodeIdsList()).containsExactly("node-b");

        String uri = holder.replicas().get(v.getVolumeId() + "-r0").getNbdEndpoint();
        downExports.add(uri);
        var down = ctl.controllerGetVolume(get).getStatus().getVolumeCondition();
        assertThat(down.getAbnormal()).isTrue();
        assertThat(down.getMessage()).contains(uri);
        assertThat(ctl.listVolumes(Csi.ListVolumesRequest.getDefaultInstance()).getEntries(0).getStatus()
                .getVolumeCondition()).isEqualTo(down);
        downExports.clear();

        holder.failAll(Status.UNAVAILABLE);
        var unreachable = ctl.controllerGetVolume(get).getStatus().getVolumeCondition();
        assertThat(unreachable.getAbnormal()).isTrue();
        assertThat(unreachable.getMessage()).contains("node agent of " + node, "UNAVAILABLE");
        holder.failAll(null);

        // The replica vanishes behind the controller's back.
        agents.stub(node).deleteReplica(dev.prescient.api.nodeagent.v1.DeleteReplicaRequest.newBuilder()
                .setOperationId("lost").setReplicaId(v.getVolumeId() + "-r0").build());
        var missing = ctl.controllerGetVolume(get).getStatus().getVolumeCondition();
        assertThat(missing.getAbnormal()).isTrue();
        assertThat(missing.getMessage()).contains("missing on node " + node);
    }

    @Test
    void getCapacityReportsTheLargestPossibleVolume() {
        nodeA.tierCapacity("default", 3 * GIB);
        nodeB.tierCapacity("default", 5 * GIB);
        var all = ctl.getCapacity(Csi.GetCapacityRequest.getDefaultInstance());
        assertThat(all.getAvailableCapacity()).isEqualTo(8 * GIB);
        assertThat(all.getMaximumVolumeSize().getValue()).isEqualTo(5 * GIB);
        nodeB.tierCapacity("default", 50 * GIB);
        // Capped by --max-volume-bytes (10 GiB here).
        assertThat(ctl.getCapacity(Csi.GetCapacityRequest.getDefaultInstance()).getMaximumVolumeSize().getValue())
                .isEqualTo(10 * GIB);
        var zone1 = ctl.getCapacity(Csi.GetCapacityRequest.newBuilder().setAccessibleTopology(Csi.Topology.newBuilder()
                .putSegments("topology.kubernetes.io/zone", "zone-1")).build());
        assertThat(zone1.getMaximumVolumeSize().getValue()).isEqualTo(3 * GIB);
    }

    @Test
    void capabilitiesAdvertisedAreExactlyTheImplementedOnes() {
        var caps = ctl.controllerGetCapabilities(Csi.ControllerGetCapabilitiesRequest.getDefaultInstance())
                .getCapabilitiesList().stream().map(c -> c.getRpc().getType()).toList();
        assertThat(caps).containsExactlyInAnyOrder(Csi.ControllerServiceCapability.RPC.Type.CREATE_DELETE_VOLUME,
                Csi.ControllerServiceCapability.RPC.Type.PUBLISH_UNPUBLISH_VOLUME,
                Csi.ControllerServiceCapability.RPC.Type.LIST_VOLUMES,
                Csi.ControllerServiceCapability.RPC.Type.GET_CAPACITY,
                Csi.ControllerServiceCapability.RPC.Type.CREATE_DELETE_SNAPSHOT,
                Csi.ControllerServiceCapability.RPC.Type.LIST_SNAPSHOTS,
                Csi.ControllerServiceCapability.RPC.Type.CLONE_VOLUME,
                Csi.ControllerServiceCapability.RPC.Type.PUBLISH_READONLY,
                Csi.ControllerServiceCapability.RPC.Type.EXPAND_VOLUME,
                Csi.ControllerServiceCapability.RPC.Type.LIST_VOLUMES_PUBLISHED_NODES,
                Csi.ControllerServiceCapability.RPC.Type.VOLUME_CONDITION,
                Csi.ControllerServiceCapability.RPC.Type.GET_VOLUME,
                Csi.ControllerServiceCapability.RPC.Type.SINGLE_NODE_MULTI_WRITER);
        assertThat(Files.exists(dir.resolve("csi.sock"))).isTrue();
    }
}
