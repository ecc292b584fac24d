package dev.prescient.csi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import csi.v1.Csi;
import dev.prescient.api.nodeagent.v1.CreateReplicaRequest;
import dev.prescient.api.nodeagent.v1.ListReplicasRequest;
import dev.prescient.api.nodeagent.v1.NodeHealthRequest;
import dev.prescient.api.nodeagent.v1.Replica;
import dev.prescient.api.nodeagent.v1.NodeHealthRequest;
import dev.prescient.api.nodeagent.v1.TelemetryRequest;
import dev.prescient.csi.controller.ControllerService;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Real node processes as root: engine NBD exports, nbdfuse + loop devices, mkfs, mount. Stage,
 * publish, write, crash the node process, restart, unpublish, unstage, restage on another node
 * process with its own directories; the data must survive all of it and nothing may be left
 * mounted or attached.
 */
class NodeLifecycleIT {
    static final long SIZE = 64L << 20;
    Path root;
    NodeProcess a;
    NodeProcess b;

    @BeforeEach
    void setUp() throws Exception {
        assertThat(new ProcessBuilder("id", "-u").start().inputReader().readLine())
                .as("node tests need root (mount, losetup)").isEqualTo("0");
        root = Files.createTempDirectory("prescient-node-it");
    }

    @AfterEach
    void tearDown() throws Exception {
        for (NodeProcess n : new NodeProcess[] {a, b}) {
            if (n != null) {
                n.close();
            }
        }
        HostCleanup.under(root);
        assertThat(HostCleanup.anyMountUnder(root)).as("mounts left behind").isFalse();
        new ProcessBuilder("rm", "-rf", root.toString()).start().waitFor();
    }

    static Csi.VolumeCapability mount(String fs) {
        return Csi.VolumeCapability.newBuilder().setMount(Csi.VolumeCapability.MountVolume.newBuilder().setFsType(fs))
                .setAccessMode(Csi.VolumeCapability.AccessMode.newBuilder()
                        .setMode(Csi.VolumeCapability.AccessMode.Mode.SINGLE_NODE_WRITER)).build();
    }

    static Replica createReplica(NodeProcess n, String volumeId) {
        return n.agent().createReplica(CreateReplicaRequest.newBuilder().setOperationId("op-" + volumeId)
                .setReplicaId(volumeId + "-r0").setVolumeId(volumeId).setTier("default").setSizeBytes(SIZE).build());
    }

    static Csi.NodeStageVolumeRequest stage(NodeProcess n, String vol, String uri, String fs) {
        return Csi.NodeStageVolumeRequest.newBuilder().setVolumeId(vol)
                .setStagingTargetPath(n.kubeletDir.resolve("plugins/csi.prescient.dev/" + n.nodeId + "/" + vol).toString())
                .setVolumeCapability(mount(fs)).putPublishContext(ControllerService.CTX_NBD_URI, uri).build();
    }

    static Csi.NodePublishVolumeRequest publish(Path root, Csi.NodeStageVolumeRequest s, String pod, boolean ro) {
        return Csi.NodePublishVolumeRequest.newBuilder().setVolumeId(s.getVolumeId())
                .setStagingTargetPath(s.getStagingTargetPath())
                .setTargetPath(root.resolve("kubelet/pods/" + pod + "/volumes/" + s.getVolumeId() + "/mount").toString())
                .setVolumeCapability(s.getVolumeCapability()).setReadonly(ro)
                .putVolumeContext("csi.storage.k8s.io/pod.name", pod)
                .putVolumeContext("csi.storage.k8s.io/pod.namespace", "default")
                .putVolumeContext("csi.storage.k8s.io/pod.uid", "uid-" + pod).build();
    }

    static void writeDurably(Path file, String text) throws Exception {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
            ch.force(true);
        }
    }

    @Test
    void stagePublishWriteCrashRestartAndRestageOnAnotherNode() throws Exception {
        Path kubelet = root.resolve("kubelet");
        a = new NodeProcess("node-a", root.resolve("a"), kubelet).start();
        var info = a.node().nodeGetInfo(Csi.NodeGetInfoRequest.getDefaultInstance());
        assertThat(info.getNodeId()).isEqualTo("node-a");
        assertThat(info.getAccessibleTopology().getSegmentsMap()).containsEntry("topology.kubernetes.io/zone", "zone-node-a");

        Replica r = createReplica(a, "vol1");
        assertThat(createReplica(a, "vol1")).isEqualTo(r);
        assertThat(r.getAllocatedBytes()).as("a new replica is a hole").isLessThan(SIZE / 8);

        var st = stage(a, "vol1", r.getNbdEndpoint(), "ext4");
        a.node().nodeStageVolume(st);
        a.node().nodeStageVolume(st);
        var pub = publish(root, st, "pod1", false);
        a.node().nodePublishVolume(pub);
        a.node().nodePublishVolume(pub);
        Path target = Path.of(pub.getTargetPath());
        writeDurably(target.resolve("hello.txt"), "written through the mount");

        var stats = a.node().nodeGetVolumeStats(Csi.NodeGetVolumeStatsRequest.newBuilder().setVolumeId("vol1")
                .setVolumePath(target.toString()).build());
        assertThat(stats.getUsageList()).extracting(Csi.VolumeUsage::getUnit)
                .containsExactly(Csi.VolumeUsage.Unit.BYTES, Csi.VolumeUsage.Unit.INODES);
        assertThat(stats.getUsage(0).getTotal()).isBetween(SIZE / 2, SIZE);
        assertThat(a.agent().getTelemetry(TelemetryRequest.newBuilder().setVolumeId("vol1").build()).getVolumes(0)
                .getConsumersList()).extracting(c -> c.getConsumer()).contains("default/pod1/uid-pod1")
                .allMatch(c -> c.equals("default/pod1/uid-pod1") || c.equals("node:node-a"));
        // The engine process's heat reaches the agent's telemetry (heat file rewritten every 300 ms here). mkfs's
        // heat can arrive before the pod's write does (seen on a loaded machine), so wait for the pod's too.
        var vt = a.agent().getTelemetry(TelemetryRequest.newBuilder().setVolumeId("vol1").build()).getVolumes(0);
        for (long end = System.currentTimeMillis() + 15_000; (vt.getExtentsCount() == 0
                || vt.getConsumersList().stream().noneMatch(c -> c.getConsumer().equals("default/pod1/uid-pod1")
                        && c.getWriteHeat() > 0))
                && System.currentTimeMillis() < end; Thread.sleep(200)) {
            vt = a.agent().getTelemetry(TelemetryRequest.newBuilder().setVolumeId("vol1").build()).getVolumes(0);
        }
        assertThat(vt.getExtentSizeBytes()).isPositive();
        long lastExtent = (SIZE - 1) / vt.getExtentSizeBytes();
        assertThat(vt.getExtentsList()).as("mkfs and the file write heated extents").isNotEmpty()
                .allSatisfy(e -> assertThat(e.getExtentIndex()).isBetween(0L, lastExtent));
        assertThat(vt.getExtentsList().stream().mapToDouble(e -> e.getWriteHeat()).sum()).isPositive();
        assertThat(vt.getConsumersList()).filteredOn(c -> c.getConsumer().equals("default/pod1/uid-pod1"))
                .singleElement().satisfies(c -> assertThat(c.getWriteHeat()).as("one pod: the volume's heat is its heat")
                        .isPositive());
        assertThat(vt.getConsumersList()).filteredOn(c -> c.getConsumer().equals("node:node-a"))
                .as("the attachment names its node, and its I/O counts for that node").singleElement()
                .satisfies(c -> assertThat(c.getWriteHeat()).isPositive());

        // A degrading medium shows in node health: the engines' latency reaches GetNodeHealth per interval.
        a.agent().getNodeHealth(NodeHealthRequest.getDefaultInstance());
        Path faults = root.resolve("a/state/run/engine/faults");
        Files.writeString(faults, "latency_us=30000\n");
        Thread.sleep(1200); // the engine rereads the file once a second
        for (int i = 0; i < 5; i++) {
            writeDurably(target.resolve("slow-" + i + ".txt"), "written while the disk is slow");
        }
        Thread.sleep(700); // two heat intervals
        var health = a.agent().getNodeHealth(NodeHealthRequest.getDefaultInstance());
        assertThat(health.getWriteLatencyP99Micros()).as("30 ms writes land in the [16, 32) ms bucket")
                .isGreaterThanOrEqualTo(16_384);
        assertThat(health.getIoErrorsPerSecond()).isZero();
        Files.delete(faults);

        // The export is the engine's, one process per replica, found by its pid file.
        long enginePid = Long.parseLong(Files.readString(root.resolve("a/state/run/engine/vol1-r0.pid")).strip());
        assertThat(Files.readString(Path.of("/proc/" + enginePid + "/cmdline")).split("\0"))
                .contains("dev.prescient.engine.EngineMain", "--tcp");

        // Crash the node plugin; mounts and helpers must survive, the restarted process must know them.
        a.kill();
        assertThat(Files.readString(target.resolve("hello.txt"))).isEqualTo("written through the mount");
        a = new NodeProcess("node-a", root.resolve("a"), kubelet).start();
        assertThat(Long.parseLong(Files.readString(root.resolve("a/state/run/engine/vol1-r0.pid")).strip()))
                .as("the restarted agent adopts the running engine, it does not start a second owner")
                .isEqualTo(enginePid);
        assertThat(a.agent().listReplicas(ListReplicasRequest.getDefaultInstance()).getReplicasList())
                .extracting(Replica::getReplicaId).containsExactly("vol1-r0");
        a.node().nodeStageVolume(st);
        a.node().nodePublishVolume(pub);
        assertThatThrownBy(() -> a.node().nodePublishVolume(pub.toBuilder().setReadonly(true).build()))
                .extracting(e -> ((StatusRuntimeException) e).getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
        // Unstage while still published is refused, nothing is torn down.
        assertThatThrownBy(() -> a.node().nodeUnstageVolume(Csi.NodeUnstageVolumeRequest.newBuilder()
                .setVolumeId("vol1").setStagingTargetPath(st.getStagingTargetPath()).build()))
                .extracting(e -> ((StatusRuntimeException) e).getStatus().getCode())
                .isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(Files.readString(target.resolve("hello.txt"))).isEqualTo("written through the mount");
        // Growing the replica restarts its export: refused while a client (our nbdfuse) is connected.
        assertThatThrownBy(() -> a.agent().expandReplica(dev.prescient.api.nodeagent.v1.ExpandReplicaRequest
                .newBuilder().setOperationId("grow-busy").setReplicaId("vol1-r0").setNewSizeBytes(2 * SIZE).build()))
                .extracting(e -> ((StatusRuntimeException) e).getStatus().getCode())
                .isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(Files.readString(target.resolve("hello.txt"))).isEqualTo("written through the mount");

        var unpub = Csi.NodeUnpublishVolumeRequest.newBuilder().setVolumeId("vol1").setTargetPath(pub.getTargetPath()).build();
        a.node().nodeUnpublishVolume(unpub);
        a.node().nodeUnpublishVolume(unpub);
        var unstage = Csi.NodeUnstageVolumeRequest.newBuilder().setVolumeId("vol1")
                .setStagingTargetPath(st.getStagingTargetPath()).build();
        a.node().nodeUnstageVolume(unstage);
        a.node().nodeUnstageVolume(unstage);
        assertThat(HostCleanup.anyMountUnder(root.resolve("kubelet"))).isFalse();
        assertThat(HostCleanup.anyMountUnder(root.resolve("a/state"))).as("nbdfuse unmounted").isFalse();

        // Another node process, its own directories, reaches the replica over NBD: same bytes.
        b = new NodeProcess("node-b", root.resolve("b"), kubelet).start();
        var stB = stage(b, "vol1", r.getNbdEndpoint(), "ext4");
        b.node().nodeStageVolume(stB);
        var pubB = publish(root, stB, "pod2", true);
        b.node().nodePublishVolume(pubB);
        Path targetB = Path.of(pubB.getTargetPath());
        assertThat(Files.readString(targetB.resolve("hello.txt"))).isEqualTo("written through the mount");
        assertThatThrownBy(() -> writeDurably(targetB.resolve("x"), "ro")).hasMessageContaining("Read-only");
        b.node().nodeUnpublishVolume(Csi.NodeUnpublishVolumeRequest.newBuilder().setVolumeId("vol1")
                .setTargetPath(pubB.getTargetPath()).build());
        b.node().nodeUnstageVolume(Csi.NodeUnstageVolumeRequest.newBuilder().setVolumeId("vol1")
                .setStagingTargetPath(stB.getStagingTargetPath()).build());
        assertThat(HostCleanup.anyMountUnder(root.resolve("kubelet"))).isFalse();
        assertThat(a.agent().getNodeHealth(NodeHealthRequest.getDefaultInstance()).getTiers(0).getUsedBytes())
                .as("ext4 metadata and our file were written, holes stay holes").isBetween(1L, SIZE);
    }

    @Test
    void xfsAndBlockModes() throws Exception {
        Path kubelet = root.resolve("kubelet");
        a = new NodeProcess("node-a", root.resolve("a"), kubelet).start();
        Replica x = createReplica(a, "volx");
        // xfs needs at least 300 MiB; grow the sparse replica first.
        a.agent().expandReplica(dev.prescient.api.nodeagent.v1.ExpandReplicaRequest.newBuilder()
                .setOperationId("grow-x").setReplicaId("volx-r0").setNewSizeBytes(320L << 20).build());
        var st = stage(a, "volx", x.getNbdEndpoint(), "xfs");
        a.node().nodeStageVolume(st);
        var pub = publish(root, st, "podx", false);
        a.node().nodePublishVolume(pub);
        writeDurably(Path.of(pub.getTargetPath()).resolve("f"), "xfs data");
        assertThat(Files.readString(Path.of(pub.getTargetPath()).resolve("f"))).isEqualTo("xfs data");
        a.node().nodeUnpublishVolume(Csi.NodeUnpublishVolumeRequest.newBuilder().setVolumeId("volx")
                .setTargetPath(pub.getTargetPath()).build());
        a.node().nodeUnstageVolume(Csi.NodeUnstageVolumeRequest.newBuilder().setVolumeId("volx")
                .setStagingTargetPath(st.getStagingTargetPath()).build());

        Replica blk = createReplica(a, "volb");
        var blockCap = Csi.VolumeCapability.newBuilder().setBlock(Csi.VolumeCapability.BlockVolume.getDefaultInstance())
                .setAccessMode(Csi.VolumeCapability.AccessMode.newBuilder()
                        .setMode(Csi.VolumeCapability.AccessMode.Mode.SINGLE_NODE_WRITER)).build();
        var sb = stage(a, "volb", blk.getNbdEndpoint(), "").toBuilder().setVolumeCapability(blockCap).build();
        a.node().nodeStageVolume(sb);
        var pb = publish(root, sb, "podb", false).toBuilder().setVolumeCapability(blockCap)
                .setTargetPath(root.resolve("kubelet/pods/podb/volumeDevices/volb").toString()).build();
        a.node().nodePublishVolume(pb);
        try (FileChannel ch = FileChannel.open(Path.of(pb.getTargetPath()), StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap("raw block".getBytes(StandardCharsets.UTF_8)), 4096);
            ch.force(true);
        }
        var stats = a.node().nodeGetVolumeStats(Csi.NodeGetVolumeStatsRequest.newBuilder().setVolumeId("volb")
                .setVolumePath(pb.getTargetPath()).build());
        assertThat(stats.getUsage(0).getTotal()).isEqualTo(SIZE);
        a.node().nodeUnpublishVolume(Csi.NodeUnpublishVolumeRequest.newBuilder().setVolumeId("volb")
                .setTargetPath(pb.getTargetPath()).build());
        a.node().nodeUnstageVolume(Csi.NodeUnstageVolumeRequest.newBuilder().setVolumeId("volb")
                .setStagingTargetPath(sb.getStagingTargetPath()).build());
        // The bytes went through NBD into the replica file.
        byte[] got = new byte[9];
        try (var f = new java.io.RandomAccessFile(root.resolve("a/tier/volb-r0.img").toFile(), "r")) {
            f.seek(4096);
            f.readFully(got);
        }
        assertThat(new String(got, StandardCharsets.UTF_8)).isEqualTo("raw block");
    }

    @Test
    void badInputIsRefusedWithoutSideEffects() throws Exception {
        Path kubelet = root.resolve("kubelet");
        a = new NodeProcess("node-a", root.resolve("a"), kubelet).start();
        Replica r = createReplica(a, "volbad");
        var st = stage(a, "volbad", r.getNbdEndpoint(), "ext4");
        record Case(String name, Runnable call, Status.Code code) {
        }
        Path aFile = kubelet.resolve("pods/p/file");
        Files.createDirectories(aFile.getParent());
        Files.writeString(aFile, "not a dir");
        var cases = java.util.List.of(
                new Case("staging outside kubelet", () -> a.node().nodeStageVolume(st.toBuilder()
                        .setStagingTargetPath("/etc/prescient-evil").build()), Status.Code.INVALID_ARGUMENT),
                new Case("staging with ..", () -> a.node().nodeStageVolume(st.toBuilder()
                        .setStagingTargetPath(kubelet + "/plugins/../../escape").build()), Status.Code.INVALID_ARGUMENT),
                new Case("unknown fsType", () -> a.node().nodeStageVolume(st.toBuilder()
                        .setVolumeCapability(mount("zfs")).build()), Status.Code.INVALID_ARGUMENT),
                new Case("missing capability", () -> a.node().nodeStageVolume(st.toBuilder().clearVolumeCapability()
                        .build()), Status.Code.INVALID_ARGUMENT),
                new Case("missing volume id", () -> a.node().nodeStageVolume(st.toBuilder().setVolumeId("").build()),
                        Status.Code.INVALID_ARGUMENT),
                new Case("staging path is a file", () -> a.node().nodeStageVolume(st.toBuilder()
                        .setStagingTargetPath(aFile.toString()).build()), Status.Code.INVALID_ARGUMENT),
                new Case("unknown volume without uri", () -> a.node().nodeStageVolume(st.toBuilder()
                        .setVolumeId("nope").clearPublishContext().build()), Status.Code.NOT_FOUND),
                new Case("publish before stage", () -> a.node().nodePublishVolume(publish(root, st, "p", false)),
                        Status.Code.FAILED_PRECONDITION),
                new Case("stats of unknown path", () -> a.node().nodeGetVolumeStats(Csi.NodeGetVolumeStatsRequest
                        .newBuilder().setVolumeId("volbad").setVolumePath(kubelet + "/none").build()), Status.Code.NOT_FOUND));
        for (Case c : cases) {
            assertThatThrownBy(c.call()::run).as(c.name()).isInstanceOfSatisfying(StatusRuntimeException.class,
                    e -> assertThat(e.getStatus().getCode()).as(c.name() + ": " + e.getStatus()).isEqualTo(c.code()));
        }
        assertThat(Files.exists(Path.of("/etc/prescient-evil"))).isFalse();
        // A target that is a file where a directory is needed: refused, stage stays intact.
        a.node().nodeStageVolume(st);
        assertThatThrownBy(() -> a.node().nodePublishVolume(publish(root, st, "p", false).toBuilder()
                .setTargetPath(aFile.toString()).build()))
                .extracting(e -> ((StatusRuntimeException) e).getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(Files.readString(aFile)).isEqualTo("not a dir");
        // The same volume staged elsewhere: ALREADY_EXISTS, the first stage untouched.
        assertThatThrownBy(() -> a.node().nodeStageVolume(st.toBuilder()
                .setStagingTargetPath(kubelet + "/plugins/other").build()))
                .extracting(e -> ((StatusRuntimeException) e).getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
        a.node().nodeUnstageVolume(Csi.NodeUnstageVolumeRequest.newBuilder().setVolumeId("volbad")
                .setStagingTargetPath(st.getStagingTargetPath()).build());
        assertThat(HostCleanup.anyMountUnder(root)).isFalse();
    }
}
