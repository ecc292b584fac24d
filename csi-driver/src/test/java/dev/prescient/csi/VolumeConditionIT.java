package dev.prescient.csi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import csi.v1.Csi;
import dev.prescient.api.nodeagent.v1.CreateReplicaRequest;
import dev.prescient.api.nodeagent.v1.Replica;
import dev.prescient.csi.controller.ControllerService;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * As root with a real node process, engine export, nbdfuse, loop device and ext4: the CSI 1.5
 * single-node access modes follow the spec's second-NodePublishVolume table, and
 * NodeGetVolumeStats reports a volume condition that turns abnormal when the engine export dies.
 */
class VolumeConditionIT {
    static final long SIZE = 64L << 20;
    Path root;
    NodeProcess a;

    @BeforeEach
    void setUp() throws Exception {
        assertThat(new ProcessBuilder("id", "-u").start().inputReader().readLine())
                .as("node tests need root (mount, losetup)").isEqualTo("0");
        root = Files.createTempDirectory("prescient-cond-it");
    }

    @AfterEach
    void tearDown() throws Exception {
        if (a != null) {
            a.close();
        }
        HostCleanup.under(root);
        assertThat(HostCleanup.anyMountUnder(root)).as("mounts left behind").isFalse();
        new ProcessBuilder("rm", "-rf", root.toString()).start().waitFor();
    }

    static Csi.VolumeCapability mount(Csi.VolumeCapability.AccessMode.Mode mode) {
        return Csi.VolumeCapability.newBuilder().setMount(Csi.VolumeCapability.MountVolume.newBuilder().setFsType("ext4"))
                .setAccessMode(Csi.VolumeCapability.AccessMode.newBuilder().setMode(mode)).build();
    }

    Csi.NodePublishVolumeRequest publish(Csi.NodeStageVolumeRequest s, String pod, Csi.VolumeCapability.AccessMode.Mode m) {
        return Csi.NodePublishVolumeRequest.newBuilder().setVolumeId(s.getVolumeId())
                .setStagingTargetPath(s.getStagingTargetPath())
                .setTargetPath(root.resolve("kubelet/pods/" + pod + "/volumes/" + s.getVolumeId() + "/mount").toString())
                .setVolumeCapability(mount(m)).build();
    }

    Csi.NodeGetVolumeStatsResponse stats(Csi.NodePublishVolumeRequest p) {
        return a.node().nodeGetVolumeStats(Csi.NodeGetVolumeStatsRequest.newBuilder().setVolumeId(p.getVolumeId())
                .setVolumePath(p.getTargetPath()).build());
    }

    static Status.Code code(Throwable e) {
        return ((StatusRuntimeException) e).getStatus().getCode();
    }

    @Test
    void singleNodeModesAndVolumeCondition() throws Exception {
        var single = Csi.VolumeCapability.AccessMode.Mode.SINGLE_NODE_SINGLE_WRITER;
        var multi = Csi.VolumeCapability.AccessMode.Mode.SINGLE_NODE_MULTI_WRITER;
        a = new NodeProcess("node-a", root.resolve("a"), root.resolve("kubelet")).start();
        var caps = a.node().nodeGetCapabilities(Csi.NodeGetCapabilitiesRequest.getDefaultInstance())
                .getCapabilitiesList().stream().map(c -> c.getRpc().getType()).toList();
        assertThat(caps).containsExactlyInAnyOrder(Csi.NodeServiceCapability.RPC.Type.STAGE_UNSTAGE_VOLUME,
                Csi.NodeServiceCapability.RPC.Type.GET_VOLUME_STATS, Csi.NodeServiceCapability.RPC.Type.EXPAND_VOLUME,
                Csi.NodeServiceCapability.RPC.Type.VOLUME_CONDITION,
                Csi.NodeServiceCapability.RPC.Type.SINGLE_NODE_MULTI_WRITER);

        Replica r = a.agent().createReplica(CreateReplicaRequest.newBuilder().setOperationId("op-1")
                .setReplicaId("vc-r0").setVolumeId("vc").setTier("default").setSizeBytes(SIZE).build());
        var st = Csi.NodeStageVolumeRequest.newBuilder().setVolumeId("vc")
                .setStagingTargetPath(root.resolve("kubelet/plugins/csi.prescient.dev/vc").toString())
                .setVolumeCapability(mount(multi)).putPublishContext(ControllerService.CTX_NBD_URI, r.getNbdEndpoint())
                .build();
        a.node().nodeStageVolume(st);

        // SINGLE_NODE_SINGLE_WRITER: one target path; a repeat is fine, a second path is not.
        var p1 = publish(st, "pod1", single);
        a.node().nodePublishVolume(p1);
        a.node().nodePublishVolume(p1);
        assertThatThrownBy(() -> a.node().nodePublishVolume(publish(st, "pod2", single)))
                .satisfies(e -> assertThat(code(e)).isEqualTo(Status.Code.FAILED_PRECONDITION));
        // The pre-1.5 SINGLE_NODE_WRITER follows the same (non MULTI) row of the table.
        assertThatThrownBy(() -> a.node().nodePublishVolume(
                publish(st, "pod2", Csi.VolumeCapability.AccessMode.Mode.SINGLE_NODE_WRITER)))
                .satisfies(e -> assertThat(code(e)).isEqualTo(Status.Code.FAILED_PRECONDITION));
        assertThat(Files.exists(Path.of(publish(st, "pod2", single).getTargetPath()))).as("nothing left").isFalse();
        a.node().nodeUnpublishVolume(Csi.NodeUnpublishVolumeRequest.newBuilder().setVolumeId("vc")
                .setTargetPath(p1.getTargetPath()).build());

        // SINGLE_NODE_MULTI_WRITER: two pods on the node, both writing the same file system.
        var m1 = publish(st, "pod1", multi);
        var m2 = publish(st, "pod2", multi);
        a.node().nodePublishVolume(m1);
        a.node().nodePublishVolume(m2);
        Files.writeString(Path.of(m2.getTargetPath(), "from-pod2.txt"), "hello");
        assertThat(Files.readString(Path.of(m1.getTargetPath(), "from-pod2.txt"))).isEqualTo("hello");
        Files.writeString(Path.of(m1.getTargetPath(), "from-pod1.txt"), "world");
        // A single-writer publish while two writers exist is refused.
        assertThatThrownBy(() -> a.node().nodePublishVolume(publish(st, "pod3", single)))
                .satisfies(e -> assertThat(code(e)).isEqualTo(Status.Code.FAILED_PRECONDITION));

        long t0 = System.nanoTime();
        for (int i = 0; i < 5; i++) {
            stats(m1);
        }
        System.out.printf("NodeGetVolumeStats with condition, healthy: %.1f ms per call (5 calls)%n",
                (System.nanoTime() - t0) / 5e6);
        var healthy = stats(m1);
        assertThat(healthy.getVolumeCondition().getAbnormal()).as(healthy.getVolumeCondition().getMessage()).isFalse();
        assertThat(healthy.getUsageList()).extracting(Csi.VolumeUsage::getUnit)
                .containsExactly(Csi.VolumeUsage.Unit.BYTES, Csi.VolumeUsage.Unit.INODES);

        // The engine process serving the export dies (after the writes reached it).
        assertThat(new ProcessBuilder("sync").start().waitFor()).isZero();
        long enginePid = Long.parseLong(Files.readString(root.resolve("a/state/run/engine/vc-r0.pid")).strip());
        ProcessHandle.of(enginePid).ifPresent(ProcessHandle::destroyForcibly);
        ProcessHandle.of(enginePid).ifPresent(h -> h.onExit().join());
        long t1 = System.nanoTime();
        var down = stats(m1).getVolumeCondition();
        System.out.printf("NodeGetVolumeStats with condition, export down: %.1f ms%n", (System.nanoTime() - t1) / 1e6);
        assertThat(down.getAbnormal()).isTrue();
        assertThat(down.getMessage()).contains("engine export down", r.getNbdEndpoint());

        // The agent serves the replica again on the same port; the old NBD connection of this
        // attachment is gone for good, which the condition still reports until a re-stage.
        a.agent().createReplica(CreateReplicaRequest.newBuilder().setOperationId("op-2")
                .setReplicaId("vc-r0").setVolumeId("vc").setTier("default").setSizeBytes(SIZE).build());
        var stale = stats(m1).getVolumeCondition();
        System.out.println("after the export restarted: " + stale.getMessage());
        assertThat(stale.getAbnormal()).isTrue();
        assertThat(stale.getMessage()).doesNotContain("engine export down");

        for (var p : new Csi.NodePublishVolumeRequest[] {m1, m2}) {
            a.node().nodeUnpublishVolume(Csi.NodeUnpublishVolumeRequest.newBuilder().setVolumeId("vc")
                    .setTargetPath(p.getTargetPath()).build());
        }
        a.node().nodeUnstageVolume(Csi.NodeUnstageVolumeRequest.newBuilder().setVolumeId("vc")
                .setStagingTargetPath(st.getStagingTargetPath()).build());

        // Re-staged on the live export: healthy again, data intact.
        a.node().nodeStageVolume(st);
        a.node().nodePublishVolume(m1);
        assertThat(Files.readString(Path.of(m1.getTargetPath(), "from-pod2.txt"))).isEqualTo("hello");
        assertThat(stats(m1).getVolumeCondition().getAbnormal()).isFalse();
        a.node().nodeUnpublishVolume(Csi.NodeUnpublishVolumeRequest.newBuilder().setVolumeId("vc")
                .setTargetPath(m1.getTargetPath()).build());
        a.node().nodeUnstageVolume(Csi.NodeUnstageVolumeRequest.newBuilder().setVolumeId("vc")
                .setStagingTargetPath(st.getStagingTargetPath()).build());
    }
}
