package dev.prescient.csi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import csi.v1.ControllerGrpc;
import csi.v1.Csi;
import dev.prescient.api.nodeagent.v1.AddReplicaFromSourceRequest;
import dev.prescient.api.nodeagent.v1.CancelOperationRequest;
import dev.prescient.api.nodeagent.v1.GetOperationRequest;
import dev.prescient.api.nodeagent.v1.ListReplicasRequest;
import dev.prescient.api.nodeagent.v1.Operation;
import dev.prescient.api.nodeagent.v1.OperationPhase;
import dev.prescient.api.nodeagent.v1.SwitchOverRequest;
import dev.prescient.csi.agent.AgentTls;
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
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The controller service over its UNIX socket driving real node-agent processes: create, publish,
 * stage and write; snapshot and restore; clone; copy a replica to another node with progress;
 * delete removes the replica files.
 */
class ControllerNodeIT {
    static final long SIZE = 64L << 20;
    Path root;
    NodeProcess a;
    NodeProcess b;
    StaticNodeAgents agents;
    Server server;
    ManagedChannel channel;
    ControllerGrpc.ControllerBlockingStub ctl;

    @BeforeEach
    void setUp() throws Exception {
        root = Files.createTempDirectory("prescient-ctl-it");
        Path kubelet = root.resolve("kubelet");
        a = new NodeProcess("node-a", root.resolve("a"), kubelet).start();
        b = new NodeProcess("node-b", root.resolve("b"), kubelet).start();
        agents = new StaticNodeAgents(List.of(
                new NodeAgents.AgentNode("node-a", "zone-node-a", "127.0.0.1:" + a.agentPort),
                new NodeAgents.AgentNode("node-b", "zone-node-b", "127.0.0.1:" + b.agentPort)),
                AgentTls.insecurePlaintext(), 60_000);
        server = UnixSocketServers.start(root.resolve("ctl.sock"), List.of(new IdentityService(true, List.of()),
                new ControllerService(new InMemoryVolumeRegistry(), agents, new VolumeSizing(1L << 30))));
        channel = UnixSocketServers.channel(root.resolve("ctl.sock"));
        ctl = ControllerGrpc.newBlockingStub(channel);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (channel != null) {
            channel.shutdownNow();
        }
        if (server != null) {
            server.shutdownNow();
        }
        if (agents != null) {
            agents.close();
        }
        for (NodeProcess n : new NodeProcess[] {a, b}) {
            if (n != null) {
                n.close();
            }
        }
        HostCleanup.under(root);
        assertThat(HostCleanup.anyMountUnder(root)).isFalse();
        new ProcessBuilder("rm", "-rf", root.toString()).start().waitFor();
    }

    static Csi.VolumeCapability ext4() {
        return Csi.VolumeCapability.newBuilder().setMount(Csi.VolumeCapability.MountVolume.newBuilder().setFsType("ext4"))
                .setAccessMode(Csi.VolumeCapability.AccessMode.newBuilder()
                        .setMode(Csi.VolumeCapability.AccessMode.Mode.SINGLE_NODE_WRITER)).build();
    }

    Csi.Volume create(String name, String zone, Csi.VolumeContentSource source) {
        var req = Csi.CreateVolumeRequest.newBuilder().setName(name).addVolumeCapabilities(ext4())
                .setCapacityRange(Csi.CapacityRange.newBuilder().setRequiredBytes(SIZE))
                .setAccessibilityRequirements(Csi.TopologyRequirement.newBuilder().addRequisite(
                        Csi.Topology.newBuilder().putSegments("topology.kubernetes.io/zone", zone)));
        if (source != null) {
            req.setVolumeContentSource(source);
        }
        return ctl.createVolume(req.build()).getVolume();
    }

    /** ControllerPublish + NodeStage + NodePublish on {@code n}; returns the mounted directory. */
    Path attach(NodeProcess n, Csi.Volume v, String pod) {
        var ctx = ctl.controllerPublishVolume(Csi.ControllerPublishVolumeRequest.newBuilder()
                .setVolumeId(v.getVolumeId()).setNodeId(n.nodeId).setVolumeCapability(ext4()).build())
                .getPublishContextMap();
        String staging = n.kubeletDir.resolve("plugins/csi.prescient.dev/" + n.nodeId + "/" + v.getVolumeId()).toString();
        n.node().nodeStageVolume(Csi.NodeStageVolumeRequest.newBuilder().setVolumeId(v.getVolumeId())
                .setStagingTargetPath(staging).setVolumeCapability(ext4()).putAllPublishContext(ctx).build());
        String target = n.kubeletDir.resolve("pods/" + pod + "/volumes/" + v.getVolumeId()).toString();
        n.node().nodePublishVolume(Csi.NodePublishVolumeRequest.newBuilder().setVolumeId(v.getVolumeId())
                .setStagingTargetPath(staging).setTargetPath(target).setVolumeCapability(ext4()).build());
        return Path.of(target);
    }

    void detach(NodeProcess n, Csi.Volume v, Path target) {
        n.node().nodeUnpublishVolume(Csi.NodeUnpublishVolumeRequest.newBuilder().setVolumeId(v.getVolumeId())
                .setTargetPath(target.toString()).build());
        n.node().nodeUnstageVolume(Csi.NodeUnstageVolumeRequest.newBuilder().setVolumeId(v.getVolumeId())
                .setStagingTargetPath(n.kubeletDir.resolve("plugins/csi.prescient.dev/" + n.nodeId + "/"
                        + v.getVolumeId()).toString()).build());
        ctl.controllerUnpublishVolume(Csi.ControllerUnpublishVolumeRequest.newBuilder().setVolumeId(v.getVolumeId())
                .setNodeId(n.nodeId).build());
    }

    @Test
    void volumeLifecycleThroughRealNodeAgents() throws Exception {
        Csi.Volume v = create("data", "zone-node-a", null);
        assertThat(Files.exists(root.resolve("a/tier/" + v.getVolumeId() + "-r0.img"))).isTrue();
        Path mnt = attach(a, v, "pod1");
        // Both sides see a healthy volume: the controller probes the real engine export over NBD.
        var got = ctl.controllerGetVolume(Csi.ControllerGetVolumeRequest.newBuilder().setVolumeId(v.getVolumeId()).build());
        assertThat(got.getStatus().getPublishedNodeIdsList()).containsExactly("node-a");
        assertThat(got.getStatus().getVolumeCondition().getAbnormal()).as(got.getStatus().getVolumeCondition()
                .getMessage()).isFalse();
        var nodeCondition = a.node().nodeGetVolumeStats(Csi.NodeGetVolumeStatsRequest.newBuilder()
                .setVolumeId(v.getVolumeId()).setVolumePath(mnt.toString()).build()).getVolumeCondition();
        assertThat(nodeCondition.getAbnormal()).as(nodeCondition.getMessage()).isFalse();
        Files.writeString(mnt.resolve("note.txt"), "before the snapshot");
        new ProcessBuilder("sync", "-f", mnt.resolve("note.txt").toString()).start().waitFor();

        var snap = ctl.createSnapshot(Csi.CreateSnapshotRequest.newBuilder().setName("s1")
                .setSourceVolumeId(v.getVolumeId()).build()).getSnapshot();
        Files.writeString(mnt.resolve("note.txt"), "after the snapshot");
        new ProcessBuilder("sync", "-f", mnt.resolve("note.txt").toString()).start().waitFor();
        detach(a, v, mnt);

        // Offline expansion: grow while unpublished; the next stage sees the bigger device and grows ext4.
        var grown = ctl.controllerExpandVolume(Csi.ControllerExpandVolumeRequest.newBuilder().setVolumeId(v.getVolumeId())
                .setCapacityRange(Csi.CapacityRange.newBuilder().setRequiredBytes(2 * SIZE)).build());
        assertThat(grown.getCapacityBytes()).isEqualTo(2 * SIZE);
        mnt = attach(a, v, "pod1");
        var stats = a.node().nodeGetVolumeStats(Csi.NodeGetVolumeStatsRequest.newBuilder().setVolumeId(v.getVolumeId())
                .setVolumePath(mnt.toString()).build());
        assertThat(stats.getUsage(0).getTotal()).as("file system grown at stage").isGreaterThan(SIZE);
        assertThat(Files.readString(mnt.resolve("note.txt"))).isEqualTo("after the snapshot");
        detach(a, v, mnt);

        // Restore: the snapshot lives on node-a, so the new volume does too, with the old content.
        Csi.Volume restored = create("restored", "zone-node-a", Csi.VolumeContentSource.newBuilder()
                .setSnapshot(Csi.VolumeContentSource.SnapshotSource.newBuilder().setSnapshotId(snap.getSnapshotId()))
                .build());
        Path rm = attach(a, restored, "pod2");
        assertThat(Files.readString(rm.resolve("note.txt"))).isEqualTo("before the snapshot");
        detach(a, restored, rm);

        Csi.Volume clone = create("clone", "zone-node-a", Csi.VolumeContentSource.newBuilder()
                .setVolume(Csi.VolumeContentSource.VolumeSource.newBuilder().setVolumeId(v.getVolumeId())).build());
        Path cm = attach(a, clone, "pod3");
        assertThat(Files.readString(cm.resolve("note.txt"))).isEqualTo("after the snapshot");
        detach(a, clone, cm);

        // Copy the replica to node-b through its agent (long operation with progress), then read it there.
        String op = "copy-" + v.getVolumeId();
        var add = AddReplicaFromSourceRequest.newBuilder().setOperationId(op).setReplicaId(v.getVolumeId() + "-r1")
                .setVolumeId(v.getVolumeId()).setSourceAddress("127.0.0.1:" + a.agentPort)
                .setSourceReplicaId(v.getVolumeId() + "-r0").build();
        Operation started = b.agent().addReplicaFromSource(add);
        assertThat(b.agent().addReplicaFromSource(add).getOperationId()).isEqualTo(started.getOperationId());
        List<Operation> seen = new ArrayList<>();
        Iterator<Operation> watch = b.agent().watchOperation(GetOperationRequest.newBuilder().setOperationId(op).build());
        watch.forEachRemaining(seen::add);
        Operation done = seen.get(seen.size() - 1);
        assertThat(done.getPhase()).as(done.toString()).isEqualTo(OperationPhase.OPERATION_PHASE_SUCCEEDED);
        // The copy is a catch-up of the source's allocated blocks by the source's engine.
        assertThat(done.getBytesDone()).isPositive().isEqualTo(done.getBytesTotal());
        assertThat(b.agent().listReplicas(ListReplicasRequest.newBuilder().setVolumeId(v.getVolumeId()).build())
                .getReplicasList()).hasSize(1);
        assertThat(Files.mismatch(root.resolve("a/tier/" + v.getVolumeId() + "-r0.img"),
                root.resolve("b/tier/" + v.getVolumeId() + "-r1.img"))).isEqualTo(-1L);
        assertThat(b.agent().cancelOperation(CancelOperationRequest.newBuilder().setOperationId(op).build()).getPhase())
                .as("cancelling a finished operation changes nothing").isEqualTo(OperationPhase.OPERATION_PHASE_SUCCEEDED);
        assertThatThrownBy(() -> b.agent().getOperation(GetOperationRequest.newBuilder().setOperationId("none").build()))
                .extracting(e -> ((StatusRuntimeException) e).getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThatThrownBy(() -> b.agent().switchOver(SwitchOverRequest.newBuilder().setOperationId("sw")
                .setVolumeId(v.getVolumeId()).build()))
                .extracting(e -> ((StatusRuntimeException) e).getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);

        // Delete removes every replica on every node; the snapshot outlives its volume.
        ctl.deleteVolume(Csi.DeleteVolumeRequest.newBuilder().setVolumeId(v.getVolumeId()).build());
        assertThat(Files.exists(root.resolve("a/tier/" + v.getVolumeId() + "-r0.img"))).isFalse();
        assertThat(Files.exists(root.resolve("b/tier/" + v.getVolumeId() + "-r1.img"))).isFalse();
        assertThat(ctl.listSnapshots(Csi.ListSnapshotsRequest.getDefaultInstance()).getEntriesList()).hasSize(1);
        ctl.deleteSnapshot(Csi.DeleteSnapshotRequest.newBuilder().setSnapshotId(snap.getSnapshotId()).build());
        assertThat(ctl.listSnapshots(Csi.ListSnapshotsRequest.getDefaultInstance()).getEntriesList()).isEmpty();
    }
}
