package dev.prescient.csi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescient.api.nodeagent.v1.AddReplicaFromSourceRequest;
import dev.prescient.api.nodeagent.v1.CancelOperationRequest;
import dev.prescient.api.nodeagent.v1.CreateReplicaRequest;
import dev.prescient.api.nodeagent.v1.DeleteReplicaRequest;
import dev.prescient.api.nodeagent.v1.GetOperationRequest;
import dev.prescient.api.nodeagent.v1.ListReplicasRequest;
import dev.prescient.api.nodeagent.v1.NodeAgentGrpc;
import dev.prescient.api.nodeagent.v1.Operation;
import dev.prescient.api.nodeagent.v1.OperationPhase;
import dev.prescient.api.nodeagent.v1.Replica;
import dev.prescient.api.nodeagent.v1.ReplicaState;
import dev.prescient.api.nodeagent.v1.ScrubRequest;
import dev.prescient.api.nodeagent.v1.SwitchOverRequest;
import dev.prescient.csi.agent.NodeState;
import dev.prescient.engine.control.ControlClient;
import dev.prescient.engine.nbd.NbdClient;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Live moves between two real node processes (own directories, own engines) while a client keeps
 * writing to the volume's NBD export: AddReplicaFromSource (cancelled, then resumed as a delta),
 * Scrub, SwitchOver, DeleteReplica of the source; the data the client acknowledged is what the
 * new replica holds, and the client never sees an error.
 */
@Timeout(300)
class LiveMoveIT {
    static final int BS = 4096;
    static final long SIZE = 64L << 20;
    static final int PREFILLED_BLOCKS = (48 << 20) / BS;
    static final int HOT_BLOCKS = 512; // the writer's region: 2 MiB
    Path root;
    NodeProcess a;
    NodeProcess b;

    @AfterEach
    void tearDown() throws Exception {
        for (NodeProcess n : new NodeProcess[] {a, b}) {
            if (n != null) {
                n.close();
            }
        }
        if (root != null) {
            HostCleanup.under(root);
            new ProcessBuilder("rm", "-rf", root.toString()).start().waitFor();
        }
    }

    static ByteBuffer block(long index, long version) {
        ByteBuffer b = ByteBuffer.allocate(BS);
        Random r = new Random(index * 7_919L + version);
        while (b.hasRemaining()) {
            b.putLong(r.nextLong());
        }
        return b.flip();
    }

    static long crc(ByteBuffer b) {
        CRC32C c = new CRC32C();
        c.update(b.duplicate());
        return c.getValue();
    }

    /** Writes random blocks of the hot region until stopped; keeps each acknowledged block's checksum. */
    static final class Writer {
        final long[] reference;
        final AtomicLong acked = new AtomicLong();
        final AtomicBoolean stop = new AtomicBoolean();
        final CompletableFuture<Throwable> done;

        Writer(String uri, String export, long[] reference) throws Exception {
            this.reference = reference;
            NbdClient c = NbdClient.open(uri, export);
            done = CompletableFuture.supplyAsync(() -> {
                Random r = new Random(11);
                try (c) {
                    for (long v = 1; !stop.get(); v++) {
                        int i = r.nextInt(HOT_BLOCKS);
                        ByteBuffer data = block(i, v);
                        int err = c.write((long) i * BS, data.duplicate(), v % 32 == 0);
                        if (err != 0) {
                            return new AssertionError("NBD write error " + err + " at block " + i);
                        }
                        reference[i] = crc(data);
                        acked.incrementAndGet();
                        if (v % 64 == 0) {
                            Thread.sleep(1); // a steady workload, not a saturating one (2 cores)
                        }
                    }
                    return c.flush() == 0 ? null : new AssertionError("flush failed");
                } catch (Throwable t) {
                    return t;
                }
            });
        }

        void awaitMore(long n) throws Exception {
            long target = acked.get() + n;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (acked.get() < target) {
                assertThat(done).as("writer stopped: %s", done.isDone() ? done.get() : "").isNotDone();
                assertThat(System.nanoTime()).isLessThan(deadline);
                Thread.sleep(5);
            }
        }

        void finish() throws Exception {
            stop.set(true);
            assertThat(done.get(60, TimeUnit.SECONDS)).as("the writer saw an error").isNull();
        }
    }

    static Operation await(NodeAgentGrpc.NodeAgentBlockingStub agent, String op) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (true) {
            Operation o = agent.getOperation(GetOperationRequest.newBuilder().setOperationId(op).build());
            if (o.getPhase() != OperationPhase.OPERATION_PHASE_RUNNING) {
                return o;
            }
            assertThat(System.nanoTime()).as("operation %s still running: %s", op, o).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    static Replica replica(NodeProcess n, String id) {
        return n.agent().listReplicas(ListReplicasRequest.getDefaultInstance()).getReplicasList().stream()
                .filter(r -> r.getReplicaId().equals(id)).findFirst().orElse(null);
    }

    static void assertContent(String uri, String export, long[] reference) throws Exception {
        try (NbdClient c = NbdClient.open(uri, export)) {
            assertContent(c, export, reference);
        }
    }

    static void assertContent(NbdClient c, String export, long[] reference) throws Exception {
        for (int i = 0; i < reference.length; i++) {
            assertThat(crc(c.read((long) i * BS, BS))).as("block %d via %s", i, export).isEqualTo(reference[i]);
        }
    }

    /** Whether the agent's record marks {@code replica} as deleted with its engine still serving clients. */
    static boolean frontEndOnly(Path engines, String replica) throws java.io.IOException {
        return NodeState.read(engines.resolve(replica + NodeState.SUFFIX)).map(r -> r.frontEndOnly() != null)
                .orElse(false);
    }

    /** Waits (at most 30 s) until the front-end-only engine of {@code replica} stopped: its last client left. */
    static void awaitEngineStopped(Path engines, String replica) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (frontEndOnly(engines, replica)) {
            assertThat(System.nanoTime()).as(replica + "'s engine stopped after its client left").isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    /**
     * Polls an engine until {@code member} is an in-sync member (at most {@code seconds}: a soft wait, the caller's
     * content checks are the verdict); returns its last STATUS.
     */
    static List<String> awaitMember(Path ctl, String member, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        List<String> status = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            status.clear();
            ControlClient.call(ctl, "STATUS", status::add);
            if (status.stream().anyMatch(l -> l.startsWith("MEMBER id=" + member + " ") && l.contains(" mode=RW "))) {
                break;
            }
            Thread.sleep(200);
        }
        System.out.println("engine " + ctl.getFileName() + ": " + status);
        return status;
    }

    @Test
    void moveAVolumeToAnotherNodeUnderWrites() throws Exception {
        root = Files.createTempDirectory("prescient-move-it");
        Path kubelet = root.resolve("kubelet");
        a = new NodeProcess("node-a", root.resolve("a"), kubelet).start();
        b = new NodeProcess("node-b", root.resolve("b"), kubelet).start();
        String vol = "vol1";
        a.agent().createReplica(CreateReplicaRequest.newBuilder().setOperationId("c1").setReplicaId("rA")
                .setVolumeId(vol).setSizeBytes(SIZE).build());
        String uriA = replica(a, "rA").getNbdEndpoint();
        long[] reference = new long[(int) (SIZE / BS)];
        Arrays.fill(reference, crc(ByteBuffer.allocate(BS)));
        try (NbdClient c = NbdClient.open(uriA, "rA")) {
            for (int i = 0; i < PREFILLED_BLOCKS; i++) {
                ByteBuffer d = block(i, 0);
                assertThat(c.write((long) i * BS, d.duplicate(), false)).isZero();
                reference[i] = crc(d);
            }
            assertThat(c.flush()).isZero();
        }
        Writer w = new Writer(uriA, "rA", reference);
        w.awaitMore(200);
        String source = "127.0.0.1:" + a.agentPort;

        // 1. A throttled copy, cancelled late: the source keeps serving, B keeps a partial copy.
        var t1 = AddReplicaFromSourceRequest.newBuilder().setOperationId("t1").setReplicaId("rB").setVolumeId(vol)
                .setSourceAddress(source).setSourceReplicaId("rA").setMaxBytesPerSecond(8L << 20).build();
        b.agent().addReplicaFromSource(t1);
        Operation o;
        do {
            Thread.sleep(20);
            o = b.agent().getOperation(GetOperationRequest.newBuilder().setOperationId("t1").build());
            assertThat(o.getPhase()).as(o.toString()).isEqualTo(OperationPhase.OPERATION_PHASE_RUNNING);
        } while (o.getBytesTotal() == 0 || o.getBytesDone() < o.getBytesTotal() * 85 / 100);
        System.out.println("cancelling t1 at " + o.getBytesDone() + " of " + o.getBytesTotal() + " bytes");
        b.agent().cancelOperation(CancelOperationRequest.newBuilder().setOperationId("t1").build());
        assertThat(await(b.agent(), "t1").getPhase()).isEqualTo(OperationPhase.OPERATION_PHASE_CANCELLED);
        assertThat(await(a.agent(), "attach-t1").getPhase()).isEqualTo(OperationPhase.OPERATION_PHASE_CANCELLED);
        assertThat(replica(b, "rB").getState()).isEqualTo(ReplicaState.REPLICA_STATE_SYNCING);
        assertThat(replica(a, "rA").getState()).isEqualTo(ReplicaState.REPLICA_STATE_HEALTHY);
        w.awaitMore(200);

        // 2. Again, onto the older copy: only blocks whose hash differs travel.
        b.agent().addReplicaFromSource(t1.toBuilder().setOperationId("t2").setMaxBytesPerSecond(0).build());
        Operation t2 = await(b.agent(), "t2");
        assertThat(t2.getPhase()).as(t2.toString()).isEqualTo(OperationPhase.OPERATION_PHASE_SUCCEEDED);
        System.out.println("delta onto the older copy: " + t2.getBytesDone() + " bytes compared, " + t2.getBytesSent()
                + " bytes sent (volume " + SIZE + "), promotion pause " + t2.getPauseMicros() + " us");
        assertThat(t2.getBytesDone()).as("every block compared, rewritten ones again").isGreaterThanOrEqualTo(SIZE);
        assertThat(t2.getBytesSent()).isPositive().isLessThan(SIZE / 4);
        assertThat(replica(b, "rB").getState()).isEqualTo(ReplicaState.REPLICA_STATE_HEALTHY);
        w.awaitMore(200);

        // 3. Scrub on B against A: forwarded to A's engine, which holds both.
        b.agent().scrub(ScrubRequest.newBuilder().setOperationId("s1").setReplicaId("rB").setPeerAddress(source)
                .setPeerReplicaId("rA").build());
        Operation s1 = await(b.agent(), "s1");
        assertThat(s1.getPhase()).as(s1.toString()).isEqualTo(OperationPhase.OPERATION_PHASE_SUCCEEDED);
        assertThat(s1.getBytesDone()).isGreaterThanOrEqualTo(2L * PREFILLED_BLOCKS * BS);
        assertThat(s1.getMismatchesRepaired()).isZero();

        // 4. SwitchOver on B: the front-end (A's engine) reads from and writes to rB only.
        b.agent().switchOver(SwitchOverRequest.newBuilder().setOperationId("sw1").setVolumeId(vol)
                .setNewReplicaId("rB").setMaxPauseMillis(2000).build());
        Operation sw = await(b.agent(), "sw1");
        assertThat(sw.getPhase()).as(sw.toString()).isEqualTo(OperationPhase.OPERATION_PHASE_SUCCEEDED);
        System.out.println("switch-over pause: " + sw.getPauseMicros() + " us");
        assertThat(sw.getPauseMicros()).as("the switch holds no I/O").isZero();
        w.awaitMore(200);

        // 5. The old replica goes while the client is still connected to A's front-end.
        assertThat(a.agent().deleteReplica(DeleteReplicaRequest.newBuilder().setOperationId("d1").setReplicaId("rA")
                .build()).getExisted()).isTrue();
        assertThat(Files.exists(root.resolve("a/tier/rA.img"))).isFalse();
        w.awaitMore(500);
        // A second client of the front-end, connected before the writer leaves: it keeps the
        // front-end engine of the deleted replica alive until it disconnects.
        NbdClient reader = NbdClient.open(uriA, "rA");
        w.finish();

        // Every acknowledged write is in rB: through its own export on B and through A's front-end.
        assertContent(replica(b, "rB").getNbdEndpoint(), "rB", reference);
        assertContent(reader, "rA", reference);
        reader.close();
        // With no client left the front-end engine of the deleted replica is stopped.
        Path pid = root.resolve("a/state/run/engine/rA.pid");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (Files.exists(pid) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(pid).doesNotExist();
        assertThat(replica(b, "rB").getState()).isEqualTo(ReplicaState.REPLICA_STATE_HEALTHY);
    }

    @Test
    void moveToAnotherTierOfTheSameNode() throws Exception {
        root = Files.createTempDirectory("prescient-tier-it");
        a = new NodeProcess("node-a", root.resolve("a"), root.resolve("kubelet"));
        a.tiers = "default=" + root.resolve("a/tier") + ",fast=" + root.resolve("a/fast");
        a.start();
        String vol = "vol2";
        a.agent().createReplica(CreateReplicaRequest.newBuilder().setOperationId("c1").setReplicaId("r-slow")
                .setVolumeId(vol).setSizeBytes(SIZE).build());
        String uri = replica(a, "r-slow").getNbdEndpoint();
        long[] reference = new long[(int) (SIZE / BS)];
        Arrays.fill(reference, crc(ByteBuffer.allocate(BS)));
        Writer w = new Writer(uri, "r-slow", reference);
        w.awaitMore(300);
        String self = "127.0.0.1:" + a.agentPort;
        a.agent().addReplicaFromSource(AddReplicaFromSourceRequest.newBuilder().setOperationId("t").setReplicaId("r-fast")
                .setVolumeId(vol).setTier("fast").setSourceAddress(self).setSourceReplicaId("r-slow").build());
        assertThat(await(a.agent(), "t").getPhase()).isEqualTo(OperationPhase.OPERATION_PHASE_SUCCEEDED);
        assertThat(replica(a, "r-fast").getTier()).isEqualTo("fast");
        a.agent().switchOver(SwitchOverRequest.newBuilder().setOperationId("sw").setVolumeId(vol)
                .setNewReplicaId("r-fast").build());
        Operation sw = await(a.agent(), "sw");
        assertThat(sw.getPhase()).as(sw.toString()).isEqualTo(OperationPhase.OPERATION_PHASE_SUCCEEDED);
        assertThat(sw.getPauseMicros()).as("the switch holds no I/O").isZero();
        a.agent().deleteReplica(DeleteReplicaRequest.newBuilder().setOperationId("d").setReplicaId("r-slow").build());
        w.awaitMore(300);
        NbdClient reader = NbdClient.open(uri, "r-slow");
        w.finish();
        assertThat(Files.exists(root.resolve("a/tier/r-slow.img"))).isFalse();
        assertContent(replica(a, "r-fast").getNbdEndpoint(), "r-fast", reference);
        assertContent(reader, "r-slow", reference);
        reader.close();
    }

    /**
     * A volume moved twice: the second move's source is a member of the first front-end, so the new replica must
     * join that front-end (the consumer's data path), and the switch must drop the second move's source there.
     */
    @Test
    void aVolumeMovedTwiceKeepsOneFrontEnd() throws Exception {
        startThreeTierNode("prescient-twice-it");
        String vol = "vol3";
        a.agent().createReplica(CreateReplicaRequest.newBuilder().setOperationId("c1").setReplicaId("r1")
                .setVolumeId(vol).setSizeBytes(SIZE).build());
        String uri = replica(a, "r1").getNbdEndpoint();
        long[] reference = new long[(int) (SIZE / BS)];
        Arrays.fill(reference, crc(ByteBuffer.allocate(BS)));
        Writer w = new Writer(uri, "r1", reference);
        w.awaitMore(300);
        String self = "127.0.0.1:" + a.agentPort;
        String source = "r1";
        for (String[] hop : new String[][] {{"r2", "fast"}, {"r3", "mid"}}) {
            String id = hop[0];
            Operation t = move(self, vol, source, id, hop[1]);
            assertThat(t.getFrontEnd()).as("the member joined the volume's one front-end").endsWith(" r1");
            w.awaitMore(300);
            source = id;
        }
        NbdClient reader = NbdClient.open(uri, "r1");
        w.finish();
        assertThat(Files.exists(root.resolve("a/fast/r2.img"))).as("the first move's target is gone").isFalse();
        assertContent(replica(a, "r3").getNbdEndpoint(), "r3", reference);
        assertContent(reader, "r1", reference);
        reader.close();
    }

    @Test
    void aVolumeWhoseConsumerLeftStillMoves() throws Exception {
        // A move switches the volume to r2 and deletes r1, whose engine serves the consumer until it leaves and
        // is then stopped. The next move of the volume starts from r2, a member of that stopped front-end.
        startThreeTierNode("prescient-left-it");
        String vol = "vol4";
        a.agent().createReplica(CreateReplicaRequest.newBuilder().setOperationId("c1").setReplicaId("r1")
                .setVolumeId(vol).setSizeBytes(SIZE).build());
        String uri = replica(a, "r1").getNbdEndpoint();
        long[] reference = new long[(int) (SIZE / BS)];
        Arrays.fill(reference, crc(ByteBuffer.allocate(BS)));
        Writer w = new Writer(uri, "r1", reference);
        w.awaitMore(300);
        String self = "127.0.0.1:" + a.agentPort;
        move(self, vol, "r1", "r2", "fast");
        w.awaitMore(300);
        w.finish();
        Path engines = root.resolve("a/state/run/engine");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (frontEndOnly(engines, "r1")) {
            assertThat(System.nanoTime()).as("r1's engine stopped after its client left").isLessThan(deadline);
            Thread.sleep(100);
        }
        assertThat(replica(a, "r1")).as("deleted r1 is not listed again").isNull();
        Operation t = move(self, vol, "r2", "r3", "mid");
        assertThat(t.getFrontEnd()).as("r2 served the move itself").endsWith(" r2");
        assertContent(replica(a, "r3").getNbdEndpoint(), "r3", reference);
    }

    /** Node a with tiers default, fast and mid, under a new temporary root. */
    private void startThreeTierNode(String prefix) throws Exception {
        root = Files.createTempDirectory(prefix);
        a = new NodeProcess("node-a", root.resolve("a"), root.resolve("kubelet"));
        a.tiers = "default=" + root.resolve("a/tier") + ",fast=" + root.resolve("a/fast") + ",mid="
                + root.resolve("a/mid");
        a.start();
    }

    /** AddReplicaFromSource, SwitchOver and the old replica's deletion; returns the copy's operation. */
    private Operation move(String self, String vol, String from, String to, String tier) throws Exception {
        a.agent().addReplicaFromSource(AddReplicaFromSourceRequest.newBuilder().setOperationId("t-" + to)
                .setReplicaId(to).setVolumeId(vol).setTier(tier).setSourceAddress(self)
                .setSourceReplicaId(from).build());
        Operation t = await(a.agent(), "t-" + to);
        assertThat(t.getPhase()).as(t.toString()).isEqualTo(OperationPhase.OPERATION_PHASE_SUCCEEDED);
        a.agent().switchOver(SwitchOverRequest.newBuilder().setOperationId("sw-" + to).setVolumeId(vol)
                .setNewReplicaId(to).setOldReplicaId(from).build());
        Operation sw = await(a.agent(), "sw-" + to);
        assertThat(sw.getPhase()).as(sw.toString()).isEqualTo(OperationPhase.OPERATION_PHASE_SUCCEEDED);
        a.agent().deleteReplica(DeleteReplicaRequest.newBuilder().setOperationId("d-" + from)
                .setReplicaId(from).build());
        return t;
    }
}
