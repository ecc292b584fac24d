package dev.prescient.csi;

import static org.assertj.core.api.Assertions.assertThat;

import csi.v1.Csi;
import dev.prescient.api.nodeagent.v1.Replica;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The data path outlives the node plugin. The plugin is killed the way a container runtime ends a
 * container (SIGKILL to it and to every process it started) while a workload writes and syncs
 * through the mounted file system. With the process keeper the engine and nbdfuse are not the
 * plugin's, so the workload must never see an error, the restarted plugin must adopt the same
 * loop device and mount, and every acknowledged write must be there afterwards. Without the
 * keeper the same kill ends the data path: that is the failure the keeper exists for.
 */
class PluginRestartIT {
    static final int RECORD = 4096;
    Path root;
    Path kubelet;
    Process keeper;
    NodeProcess node;

    @BeforeEach
    void setUp() throws Exception {
        assertThat(new ProcessBuilder("id", "-u").start().inputReader().readLine())
                .as("node tests need root (mount, losetup)").isEqualTo("0");
        root = Files.createTempDirectory("prescient-restart-it");
        kubelet = root.resolve("kubelet");
    }

    @AfterEach
    void tearDown() throws Exception {
        if (node != null) {
            node.close();
        }
        if (keeper != null) {
            keeper.destroy();
            keeper.waitFor(30, TimeUnit.SECONDS);
        }
        HostCleanup.under(root);
        assertThat(HostCleanup.anyMountUnder(root)).as("mounts left behind").isFalse();
        new ProcessBuilder("rm", "-rf", root.toString()).start().waitFor();
    }

    Path startKeeper() throws Exception {
        Path socket = root.resolve("keeper/keeper.sock");
        keeper = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
                "-XX:TieredStopAtLevel=1", "-cp", NodeProcess.classpath(), "dev.prescient.csi.CsiDriverMain",
                "--mode", "keeper", "--keeper-socket", socket.toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(root.resolve("keeper.log").toFile())).start();
        for (long end = System.currentTimeMillis() + 60_000; !Files.exists(socket); Thread.sleep(100)) {
            assertThat(keeper.isAlive()).as("keeper running: %s", log("keeper.log")).isTrue();
            assertThat(System.currentTimeMillis()).as("keeper socket within 60 s").isLessThan(end);
        }
        return socket;
    }

    String log(String name) {
        try {
            return Files.readString(root.resolve(name));
        } catch (IOException e) {
            return e.toString();
        }
    }

    NodeProcess startNode(Path keeperSocket) throws Exception {
        NodeProcess n = new NodeProcess("node-a", root.resolve("a"), kubelet);
        n.keeperSocket = keeperSocket;
        return n.start();
    }

    /** Appends numbered 4 KiB records, each made durable (fdatasync) before it counts as acknowledged. */
    static final class Writer implements Runnable {
        final Path file;
        final AtomicLong acked = new AtomicLong();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        volatile boolean stop;

        Writer(Path file) {
            this.file = file;
        }

        static byte[] record(long seq) {
            byte[] b = new byte[RECORD];
            byte[] head = String.format("record %012d ", seq).getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < RECORD; i++) {
                b[i] = i < head.length ? head[i] : (byte) ('a' + (seq + i) % 26);
            }
            return b;
        }

        @Override
        public void run() {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                for (long seq = 0; !stop; seq++) {
                    ByteBuffer buf = ByteBuffer.wrap(record(seq));
                    while (buf.hasRemaining()) {
                        ch.write(buf, seq * RECORD + buf.position());
                    }
                    ch.force(false);
                    acked.set(seq + 1);
                    Thread.sleep(5);
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        }
    }

    static Properties stagedRecord(Path root, String volumeId) throws IOException {
        Properties p = new Properties();
        try (var in = Files.newInputStream(root.resolve("a/state/staged/" + volumeId + ".properties"))) {
            p.load(in);
        }
        return p;
    }

    static long enginePid(Path root, String replicaId) throws IOException {
        return Long.parseLong(Files.readString(root.resolve("a/state/run/engine/" + replicaId + ".pid")).strip());
    }

    static List<String> loopDevicesUnder(Path root) throws IOException {
        List<String> out = new ArrayList<>();
        try (var s = Files.list(Path.of("/sys/block"))) {
            for (Path dev : s.filter(p -> p.getFileName().toString().startsWith("loop")).toList()) {
                Path backing = dev.resolve("loop/backing_file");
                if (Files.exists(backing) && Files.readString(backing).strip().startsWith(root.toString())) {
                    out.add(dev.getFileName().toString());
                }
            }
        }
        return out;
    }

    static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    @Test
    void workloadKeepsWritingThroughAPluginCrashWhenTheKeeperHoldsTheDataPath() throws Exception {
        Path keeperSocket = startKeeper();
        node = startNode(keeperSocket);
        Replica r = NodeLifecycleIT.createReplica(node, "vol1");
        var st = NodeLifecycleIT.stage(node, "vol1", r.getNbdEndpoint(), "ext4");
        node.node().nodeStageVolume(st);
        var pub = NodeLifecycleIT.publish(root, st, "pod1", false);
        node.node().nodePublishVolume(pub);
        Path target = Path.of(pub.getTargetPath());

        Properties before = stagedRecord(root, "vol1");
        long engine = enginePid(root, "vol1-r0");
        long fuse = Long.parseLong(before.getProperty("helperPid"));
        assertThat(ProcessHandle.of(engine).flatMap(ProcessHandle::parent).map(ProcessHandle::pid))
                .as("the keeper, not the plugin, started the engine").contains(keeper.pid());
        assertThat(ProcessHandle.of(fuse).flatMap(ProcessHandle::parent).map(ProcessHandle::pid))
                .as("the keeper, not the plugin, started nbdfuse").contains(keeper.pid());
        List<String> loops = loopDevicesUnder(root);
        assertThat(loops).hasSize(1);

        Writer w = new Writer(target.resolve("journal"));
        Thread t = new Thread(w, "workload");
        t.start();
        for (long end = System.currentTimeMillis() + 30_000; w.acked.get() < 50 && w.failure.get() == null
                && System.currentTimeMillis() < end; Thread.sleep(50)) {
            // until the workload is well under way
        }
        assertThat(w.failure.get()).isNull();
        long ackedAtCrash = w.acked.get();
        assertThat(ackedAtCrash).as("writes acknowledged before the crash").isGreaterThanOrEqualTo(50);

        node.killWithDescendants();
        assertThat(alive(engine)).as("engine survives the plugin's container").isTrue();
        assertThat(alive(fuse)).as("nbdfuse survives the plugin's container").isTrue();
        long duringRestart = w.acked.get();
        node = startNode(keeperSocket);
        for (long end = System.currentTimeMillis() + 30_000; w.acked.get() < duringRestart + 100
                && w.failure.get() == null && System.currentTimeMillis() < end; Thread.sleep(50)) {
            // the workload goes on after the restart
        }
        w.stop = true;
        t.join(30_000);
        assertThat(w.failure.get()).as("the workload never sees an error").isNull();
        long acked = w.acked.get();
        assertThat(acked).as("writes acknowledged after the restart").isGreaterThanOrEqualTo(duringRestart + 100);

        // Adopted, not re-staged: same device, same helper, same engine, no second loop device.
        Properties after = stagedRecord(root, "vol1");
        assertThat(after.getProperty("device")).isEqualTo(before.getProperty("device"));
        assertThat(after.getProperty("helperPid")).isEqualTo(before.getProperty("helperPid"));
        assertThat(enginePid(root, "vol1-r0")).isEqualTo(engine);
        assertThat(loopDevicesUnder(root)).isEqualTo(loops);
        assertThat(Files.readString(root.resolve("a/node.log"))).doesNotContain("re-staging");
        node.node().nodeStageVolume(st);
        node.node().nodePublishVolume(pub);
        var stats = node.node().nodeGetVolumeStats(Csi.NodeGetVolumeStatsRequest.newBuilder().setVolumeId("vol1")
                .setVolumePath(target.toString()).build());
        assertThat(stats.getVolumeCondition().getAbnormal()).as(stats.getVolumeCondition().getMessage()).isFalse();

        // Every acknowledged record, read through a fresh attachment (no page cache of the old one).
        node.node().nodeUnpublishVolume(Csi.NodeUnpublishVolumeRequest.newBuilder().setVolumeId("vol1")
                .setTargetPath(pub.getTargetPath()).build());
        node.node().nodeUnstageVolume(Csi.NodeUnstageVolumeRequest.newBuilder().setVolumeId("vol1")
                .setStagingTargetPath(st.getStagingTargetPath()).build());
        assertThat(loopDevicesUnder(root)).as("unstage after adoption detaches the loop device").isEmpty();
        assertThat(alive(fuse)).as("unstage after adoption stops the adopted nbdfuse").isFalse();
        node.node().nodeStageVolume(st);
        node.node().nodePublishVolume(pub);
        byte[] all = Files.readAllBytes(target.resolve("journal"));
        assertThat((long) all.length).isGreaterThanOrEqualTo(acked * RECORD);
        for (long seq = 0; seq < acked; seq++) {
            byte[] got = java.util.Arrays.copyOfRange(all, (int) (seq * RECORD), (int) ((seq + 1) * RECORD));
            assertThat(got).as("acknowledged record %d", seq).isEqualTo(Writer.record(seq));
        }
        node.node().nodeUnpublishVolume(Csi.NodeUnpublishVolumeRequest.newBuilder().setVolumeId("vol1")
                .setTargetPath(pub.getTargetPath()).build());
        node.node().nodeUnstageVolume(Csi.NodeUnstageVolumeRequest.newBuilder().setVolumeId("vol1")
                .setStagingTargetPath(st.getStagingTargetPath()).build());
    }

    @Test
    void withoutTheKeeperTheSameKillEndsTheDataPath() throws Exception {
        node = startNode(null);
        Replica r = NodeLifecycleIT.createReplica(node, "vol2");
        var st = NodeLifecycleIT.stage(node, "vol2", r.getNbdEndpoint(), "ext4");
        node.node().nodeStageVolume(st);
        long engine = enginePid(root, "vol2-r0");
        long fuse = Long.parseLong(stagedRecord(root, "vol2").getProperty("helperPid"));
        assertThat(ProcessHandle.of(engine).flatMap(ProcessHandle::parent).map(ProcessHandle::pid))
                .contains(node.pid());

        node.killWithDescendants();
        assertThat(alive(engine)).as("a container's end takes its engines").isFalse();
        assertThat(alive(fuse)).as("and its nbdfuse").isFalse();

        // The restarted plugin sees the broken attachment and re-stages it (the pod's old mount is lost).
        node = startNode(null);
        assertThat(Files.readString(root.resolve("a/node.log"))).contains("vol2 lost its attachment (nbdfuse pid")
                .contains("re-staging");
        node.node().nodeUnstageVolume(Csi.NodeUnstageVolumeRequest.newBuilder().setVolumeId("vol2")
                .setStagingTargetPath(st.getStagingTargetPath()).build());
    }
}
