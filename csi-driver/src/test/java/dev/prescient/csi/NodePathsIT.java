package dev.prescient.csi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import csi.v1.Csi;
import dev.prescient.api.nodeagent.v1.CreateReplicaRequest;
import dev.prescient.api.nodeagent.v1.Replica;
import dev.prescient.csi.controller.ControllerService;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Paths and ids that cannot escape, through a real node process over its CSI socket (as root):
 * a volume id is one plain path component or nothing happens; a kubelet directory behind a
 * symlink stages, publishes, unpublishes and unstages like any other and leaves no mount; a
 * symlink inside it cannot make a mount land outside; an NBD URI we do not serve is refused
 * before anything is attached, and a failed attach reports its own error.
 */
class NodePathsIT {
    static final long SIZE = 64L << 20;
    static final String ESCAPE = "../../../escape-vid";
    Path root;
    NodeProcess a;

    @BeforeEach
    void setUp() throws Exception {
        assertThat(new ProcessBuilder("id", "-u").start().inputReader().readLine())
                .as("node tests need root (mount, losetup)").isEqualTo("0");
        root = Files.createTempDirectory("prescient-paths-it");
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

    Replica createReplica(String volumeId) {
        return a.agent().createReplica(CreateReplicaRequest.newBuilder().setOperationId("op-" + volumeId)
                .setReplicaId(volumeId + "-r0").setVolumeId(volumeId).setTier("default").setSizeBytes(SIZE).build());
    }

    Csi.NodeStageVolumeRequest stage(Path kubelet, String vol, String uri) {
        return Csi.NodeStageVolumeRequest.newBuilder().setVolumeId(vol)
                .setStagingTargetPath(kubelet + "/plugins/kubernetes.io/csi/csi.prescient.dev/" + vol + "/globalmount")
                .setVolumeCapability(NodeLifecycleIT.mount("ext4")).putPublishContext(ControllerService.CTX_NBD_URI, uri)
                .build();
    }

    static Csi.NodePublishVolumeRequest publish(Csi.NodeStageVolumeRequest s, String target) {
        return Csi.NodePublishVolumeRequest.newBuilder().setVolumeId(s.getVolumeId())
                .setStagingTargetPath(s.getStagingTargetPath()).setTargetPath(target)
                .setVolumeCapability(s.getVolumeCapability()).build();
    }

    static void assertStatus(ThrowableAssert.ThrowingCallable call, Status.Code code, String messagePart) {
        assertThatThrownBy(call).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).as(e.getStatus().toString()).isEqualTo(code);
            assertThat(e.getStatus().getDescription()).contains(messagePart);
        });
    }

    static List<String> namesUnder(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.map(p -> p.getFileName().toString()).toList();
        }
    }

    @Test
    void aVolumeIdThatIsNotOnePathComponentTouchesNothing() throws Exception {
        Path kubelet = root.resolve("kubelet");
        a = new NodeProcess("node-a", root.resolve("a"), kubelet).start();
        Replica r = createReplica("vol1");
        // A request that would stage if the id were fine: a real export, a good staging path.
        var st = stage(kubelet, "vol1", r.getNbdEndpoint()).toBuilder().setVolumeId(ESCAPE).build();
        Path target = kubelet.resolve("pods/p1/volumes/kubernetes.io~csi/pv/mount");
        String why = "volume_id '" + ESCAPE + "' is not a valid id";
        assertStatus(() -> a.node().nodeStageVolume(st), Status.Code.INVALID_ARGUMENT, why);
        assertStatus(() -> a.node().nodePublishVolume(publish(st, target.toString())), Status.Code.INVALID_ARGUMENT, why);
        assertStatus(() -> a.node().nodeUnpublishVolume(Csi.NodeUnpublishVolumeRequest.newBuilder().setVolumeId(ESCAPE)
                .setTargetPath(target.toString()).build()), Status.Code.INVALID_ARGUMENT, why);
        assertStatus(() -> a.node().nodeUnstageVolume(Csi.NodeUnstageVolumeRequest.newBuilder().setVolumeId(ESCAPE)
                .setStagingTargetPath(st.getStagingTargetPath()).build()), Status.Code.INVALID_ARGUMENT, why);
        assertStatus(() -> a.node().nodeGetVolumeStats(Csi.NodeGetVolumeStatsRequest.newBuilder().setVolumeId(ESCAPE)
                .setVolumePath(root.toString()).build()), Status.Code.INVALID_ARGUMENT, why);
        assertStatus(() -> a.node().nodeExpandVolume(Csi.NodeExpandVolumeRequest.newBuilder().setVolumeId(ESCAPE)
                .setVolumePath(root.toString()).build()), Status.Code.INVALID_ARGUMENT, why);
        assertStatus(() -> a.node().nodeStageVolume(st.toBuilder().setVolumeId("x".repeat(129)).build()),
                Status.Code.INVALID_ARGUMENT, "at most 128");
        // The node agent on the same node: replica and snapshot ids name files in the tiers.
        assertStatus(() -> a.agent().createReplica(CreateReplicaRequest.newBuilder().setOperationId("op-esc")
                .setReplicaId(ESCAPE + "-r0").setVolumeId("vol2").setTier("default").setSizeBytes(SIZE).build()),
                Status.Code.INVALID_ARGUMENT, "replica_id '" + ESCAPE + "-r0' is not a valid id");
        assertStatus(() -> a.agent().createReplica(CreateReplicaRequest.newBuilder().setOperationId("op-esc2")
                .setReplicaId("vol2-r0").setVolumeId("vol2").setTier("default").setSizeBytes(SIZE)
                .setSourceSnapshotId(ESCAPE).build()), Status.Code.INVALID_ARGUMENT, "source_snapshot_id");
        assertStatus(() -> a.agent().createSnapshot(dev.prescient.api.nodeagent.v1.CreateSnapshotRequest.newBuilder()
                .setOperationId("snap-esc").setSnapshotId(ESCAPE + "-snap").setReplicaId("vol1-r0").build()),
                Status.Code.INVALID_ARGUMENT, "snapshot_id '" + ESCAPE + "-snap' is not a valid id");
        assertStatus(() -> a.agent().deleteSnapshot(dev.prescient.api.nodeagent.v1.DeleteSnapshotRequest.newBuilder()
                .setOperationId("del-esc").setSnapshotId(ESCAPE + "-snap").build()), Status.Code.INVALID_ARGUMENT,
                "snapshot_id");

        assertThat(namesUnder(root)).as("nothing named after the id, inside or outside the state dir")
                .noneMatch(n -> n.contains("escape-vid"));
        try (Stream<Path> s = Files.list(root.getParent())) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains("escape-vid"));
        }
        assertThat(Files.exists(Path.of(st.getStagingTargetPath()))).as("staging path not created").isFalse();
        assertThat(namesUnder(root.resolve("a/state/staged"))).containsExactly("staged");
        assertThat(HostCleanup.anyMountUnder(root)).as("no FUSE mount, no file system").isFalse();
    }

    @Test
    void aKubeletDirectoryBehindASymlinkStagesPublishesAndCleansUp() throws Exception {
        Path real = Files.createDirectories(root.resolve("data/kubelet"));
        Path kubelet = Files.createSymbolicLink(root.resolve("kubelet"), real);
        a = new NodeProcess("node-a", root.resolve("a"), kubelet).start();
        Replica r = createReplica("vol1");
        var st = stage(kubelet, "vol1", r.getNbdEndpoint());
        a.node().nodeStageVolume(st);
        a.node().nodeStageVolume(st);
        var pub = publish(st, kubelet + "/pods/p1/volumes/kubernetes.io~csi/pv/mount");
        a.node().nodePublishVolume(pub);
        a.node().nodePublishVolume(pub);
        NodeLifecycleIT.writeDurably(Path.of(pub.getTargetPath()).resolve("hello.txt"), "through the link");
        assertThat(Files.readString(real.resolve("pods/p1/volumes/kubernetes.io~csi/pv/mount/hello.txt"),
                StandardCharsets.UTF_8)).isEqualTo("through the link");
        // SINGLE_NODE_WRITER: a second pod is refused because of the first, not because of the staging mount.
        assertStatus(() -> a.node().nodePublishVolume(publish(st, kubelet + "/pods/p2/volumes/kubernetes.io~csi/pv/mount")),
                Status.Code.FAILED_PRECONDITION, real.toRealPath() + "/pods/p1/volumes/kubernetes.io~csi/pv/mount]");
        var stats = a.node().nodeGetVolumeStats(Csi.NodeGetVolumeStatsRequest.newBuilder().setVolumeId("vol1")
                .setVolumePath(pub.getTargetPath()).build());
        assertThat(stats.getVolumeCondition().getAbnormal()).as(stats.getVolumeCondition().getMessage()).isFalse();
        // Unstage while published: refused, with the real path of the pod's mount.
        assertStatus(() -> a.node().nodeUnstageVolume(Csi.NodeUnstageVolumeRequest.newBuilder().setVolumeId("vol1")
                .setStagingTargetPath(st.getStagingTargetPath()).build()), Status.Code.FAILED_PRECONDITION, "p1");

        var unpub = Csi.NodeUnpublishVolumeRequest.newBuilder().setVolumeId("vol1").setTargetPath(pub.getTargetPath())
                .build();
        a.node().nodeUnpublishVolume(unpub);
        a.node().nodeUnpublishVolume(unpub);
        var unstage = Csi.NodeUnstageVolumeRequest.newBuilder().setVolumeId("vol1")
                .setStagingTargetPath(st.getStagingTargetPath()).build();
        a.node().nodeUnstageVolume(unstage);
        a.node().nodeUnstageVolume(unstage);
        assertThat(HostCleanup.anyMountUnder(real)).as("no mount left in the kubelet directory").isFalse();
        assertThat(HostCleanup.anyMountUnder(root.resolve("a/state"))).as("nbdfuse unmounted").isFalse();
        assertThat(Files.exists(Path.of(pub.getTargetPath()))).as("target removed").isFalse();
        assertThat(namesUnder(root.resolve("a/state/staged"))).containsExactly("staged");
        assertThat(loopsBackedUnder(root)).as("loop device detached").isEmpty();
        assertThat(namesUnder(root.resolve("a/state/run/attach")).stream().filter(n -> n.startsWith("vol1")))
                .as("nbdfuse's pid file and log go with the attachment").isEmpty();

        // Restaged, the data is still there: the same volume, attached again through the link.
        a.node().nodeStageVolume(st);
        a.node().nodePublishVolume(pub);
        assertThat(Files.readString(Path.of(pub.getTargetPath()).resolve("hello.txt"))).isEqualTo("through the link");
        a.node().nodeUnpublishVolume(unpub);
        a.node().nodeUnstageVolume(unstage);
        assertThat(HostCleanup.anyMountUnder(real)).isFalse();
    }

    @Test
    void aSymlinkInsideTheKubeletDirectoryCannotLeadAMountOut() throws Exception {
        Path kubelet = Files.createDirectories(root.resolve("kubelet"));
        Path outside = Files.createDirectories(root.resolve("outside"));
        Files.createDirectories(kubelet.resolve("pods/p1"));
        Files.createDirectories(kubelet.resolve("plugins"));
        Files.createSymbolicLink(kubelet.resolve("pods/p1/volumes"), outside);
        Files.createSymbolicLink(kubelet.resolve("plugins/kubernetes.io"), outside);
        a = new NodeProcess("node-a", root.resolve("a"), kubelet).start();
        Replica r = createReplica("vol1");

        var evilStage = stage(kubelet, "vol1", r.getNbdEndpoint());
        assertStatus(() -> a.node().nodeStageVolume(evilStage), Status.Code.INVALID_ARGUMENT,
                "outside the kubelet directories");
        assertThat(namesUnder(root.resolve("a/state/staged"))).as("nothing staged").containsExactly("staged");

        var st = evilStage.toBuilder().setStagingTargetPath(kubelet + "/plugins/stage/vol1").build();
        a.node().nodeStageVolume(st);
        assertStatus(() -> a.node().nodePublishVolume(publish(st, kubelet + "/pods/p1/volumes/kubernetes.io~csi/pv/mount")),
                Status.Code.INVALID_ARGUMENT, "really " + outside.toRealPath());
        assertThat(namesUnder(outside)).as("nothing created outside").containsExactly("outside");
        assertThat(HostCleanup.anyMountUnder(outside)).as("nothing mounted outside").isFalse();
        a.node().nodeUnstageVolume(Csi.NodeUnstageVolumeRequest.newBuilder().setVolumeId("vol1")
                .setStagingTargetPath(st.getStagingTargetPath()).build());
        assertThat(HostCleanup.anyMountUnder(root)).isFalse();
    }

    @Test
    void anNbdUriWeDoNotServeIsRefusedAtOnceAndAFailedAttachReportsItsOwnError() throws Exception {
        Path kubelet = root.resolve("kubelet");
        a = new NodeProcess("node-a", root.resolve("a"), kubelet).start();
        Path attachDir = root.resolve("a/state/run/attach");
        var base = stage(kubelet, "vol1", "nbd://127.0.0.1:1/x");
        for (String uri : List.of("file:///etc/passwd", "nbd+unix:///x?socket=/run/x.sock",
                "nbd://127.0.0.1:10809/x?tls-certificates=/etc")) {
            assertStatus(() -> a.node().nodeStageVolume(base.toBuilder()
                    .putPublishContext(ControllerService.CTX_NBD_URI, uri).build()), Status.Code.INVALID_ARGUMENT,
                    "'" + uri + "' is not an NBD URI this node attaches");
        }
        assertThat(namesUnder(attachDir)).as("no helper started").containsExactly("attach");
        assertThat(Files.exists(Path.of(base.getStagingTargetPath()))).isFalse();

        // Nothing listens: nbdfuse exits, and the error is this attempt's.
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        assertStatus(() -> a.node().nodeStageVolume(base.toBuilder()
                .putPublishContext(ControllerService.CTX_NBD_URI, "nbd://127.0.0.1:" + closed + "/x").build()),
                Status.Code.UNAVAILABLE, "Connection refused");
        // Something listens and hangs up: a different error, and not the previous attempt's again.
        try (ServerSocket s = new ServerSocket(0)) {
            Thread hangUp = new Thread(() -> {
                try {
                    s.accept().close();
                } catch (Exception ignored) {
                    // the test ends the socket
                }
            });
            hangUp.start();
            assertThatThrownBy(() -> a.node().nodeStageVolume(base.toBuilder()
                    .putPublishContext(ControllerService.CTX_NBD_URI, "nbd://127.0.0.1:" + s.getLocalPort() + "/x").build()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                        assertThat(e.getStatus().getDescription()).contains("exited", ":" + s.getLocalPort() + "/x")
                                .doesNotContain("Connection refused");
                    });
        }
        assertThat(namesUnder(root.resolve("a/state/staged"))).containsExactly("staged");
        assertThat(Files.exists(attachDir.resolve("vol1"))).as("the FUSE directory of the failed attach removed").isFalse();
        assertThat(HostCleanup.anyMountUnder(root)).isFalse();
    }

    static List<String> loopsBackedUnder(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(Path.of("/sys/block"))) {
            return s.filter(p -> p.getFileName().toString().startsWith("loop"))
                    .filter(p -> {
                        try {
                            Path b = p.resolve("loop/backing_file");
                            return Files.exists(b) && Files.readString(b).strip().startsWith(dir.toString());
                        } catch (Exception e) {
                            return false;
                        }
                    }).map(p -> p.getFileName().toString()).toList();
        }
    }
}
