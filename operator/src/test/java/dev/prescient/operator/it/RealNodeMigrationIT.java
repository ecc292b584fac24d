package dev.prescient.operator.it;

import dev.prescient.api.nodeagent.v1.CreateReplicaRequest;
import dev.prescient.api.nodeagent.v1.ListReplicasRequest;
import dev.prescient.api.nodeagent.v1.Replica;
import dev.prescient.api.v1alpha1.common.NodeTier;
import dev.prescient.api.v1alpha1.migration.MigrationPhase;
import dev.prescient.api.v1alpha1.migration.MigrationReason;
import dev.prescient.api.v1alpha1.migration.VolumeMigrationSpec;
import dev.prescient.api.v1alpha1.migration.VolumeMigrationStatus;
import dev.prescient.operator.migration.MigrationExecutor;
import dev.prescient.operator.migration.MigrationStateMachine;
import dev.prescient.engine.nbd.NbdClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * VolumeMigrations carried out by the operator's {@link MigrationExecutor} and {@link
 * dev.prescient.operator.agent.GrpcNodeAgentClient} (mutual TLS) against three real csi-driver node processes:
 * data written through a replica's NBD export, moved, and checked by SHA-256 afterwards, also with a writer
 * running through the move.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RealNodeMigrationIT {

    static final long SIZE = 32L << 20;
    static final int BLOCK = 64 << 10;

    static Path root;
    static RealNodes nodes;
    static MigrationExecutor executor;

    @BeforeAll
    static void startNodes() throws Exception {
        String missing = RealNodes.missing();
        Assumptions.assumeTrue(missing == null, () -> "RealNodeMigrationIT skipped: " + missing);
        root = Files.createTempDirectory("prescient-operator-it");
        nodes = new RealNodes(root);
        for (String n : List.of("node-a", "node-b", "node-c")) {
            nodes.start(n);
        }
        executor = new MigrationExecutor(nodes, new MigrationStateMachine(5), Clock.systemUTC(),
                Duration.ofMillis(200));
    }

    @AfterAll
    static void stopNodes() throws Exception {
        if (nodes != null) {
            nodes.close();
        }
        if (root != null) {
            new ProcessBuilder("rm", "-rf", root.toString()).start().waitFor();
        }
    }

    /** A new replica on node/tier, filled through its NBD export with seeded random data; returns the image. */
    static byte[] createAndFill(String node, String tier, String volume, long seed) throws Exception {
        Replica r = nodes.forNode(node).createReplica(CreateReplicaRequest.newBuilder().setOperationId("create-" + volume)
                .setReplicaId(volume + "-r0").setVolumeId(volume).setTier(tier).setSizeBytes(SIZE).build());
        byte[] image = new byte[(int) SIZE];
        Random rnd = new Random(seed);
        // Every other MiB written, the rest left as a hole: the copy must keep both right.
        try (NbdClient c = NbdClient.open(endpoint(node, r.getReplicaId()))) {
            assertThat(c.size()).isEqualTo(SIZE);
            byte[] mib = new byte[1 << 20];
            for (long off = 0; off < SIZE; off += 2L << 20) {
                rnd.nextBytes(mib);
                c.write(off, mib, false);
                System.arraycopy(mib, 0, image, (int) off, mib.length);
            }
            c.flushChecked();
        }
        return image;
    }

    /**
     * The replica's export as a client on its node reaches it: the engine's UNIX socket (the nodes run with TLS,
     * so their TCP ports take TLS clients only), once the agent reports the export up.
     */
    static String endpoint(String node, String replicaId) throws InterruptedException {
        tcpEndpoint(node, replicaId);
        return "nbd+unix:///?socket=" + nodes.root.resolve(node + "/state/run/engine/" + replicaId + ".nbd.sock");
    }

    /** The replica's NBD endpoint as its agent reports it (the export starts on demand). */
    static String tcpEndpoint(String node, String replicaId) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 30_000;
        while (true) {
            for (Replica r : nodes.forNode(node).listReplicas(ListReplicasRequest.getDefaultInstance())
                    .getReplicasList()) {
                if (r.getReplicaId().equals(replicaId) && !r.getNbdEndpoint().isEmpty()) {
                    return r.getNbdEndpoint();
                }
            }
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("no NBD endpoint for " + replicaId + " on " + node);
            }
            Thread.sleep(200);
        }
    }

    static List<Replica> replicas(String node, String volume) {
        return nodes.forNode(node).listReplicas(ListReplicasRequest.newBuilder().setVolumeId(volume).build())
                .getReplicasList();
    }

    static VolumeMigrationSpec spec(String volume, String fromNode, String fromTier, String toNode, String toTier,
                                    boolean keepSource, MigrationReason reason) {
        VolumeMigrationSpec s = new VolumeMigrationSpec();
        s.setVolume(volume);
        NodeTier from = new NodeTier();
        from.setNode(fromNode);
        from.setTier(fromTier);
        NodeTier to = new NodeTier();
        to.setNode(toNode);
        to.setTier(toTier);
        s.setFrom(from);
        s.setTo(to);
        s.setKeepSource(keepSource);
        s.setReason(reason);
        s.setBandwidthLimit("200Mi");
        s.setCancel(false);
        return s;
    }

    /** Steps the executor as the reconciler would until a terminal phase; returns the phases seen in order. */
    static List<MigrationPhase> run(String name, VolumeMigrationSpec spec, AtomicReference<VolumeMigrationStatus> out)
            throws Exception {
        List<MigrationPhase> phases = new ArrayList<>();
        VolumeMigrationStatus status = null;
        long deadline = System.currentTimeMillis() + 180_000;
        List<String> events = new ArrayList<>();
        while (status == null || !status.getPhase().terminal()) {
            MigrationExecutor.Step step = executor.step(name, spec, status);
            status = step.status();
            step.events().forEach(e -> events.add(e.reason() + ": " + e.message()));
            if (phases.isEmpty() || phases.get(phases.size() - 1) != status.getPhase()) {
                phases.add(status.getPhase());
            }
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError(name + " still " + status.getPhase() + " after 180 s; events " + events);
            }
            if (step.requeueAfter() != null && !step.requeueAfter().isZero()) {
                Thread.sleep(step.requeueAfter().toMillis());
            }
        }
        out.set(status);
        assertThat(status.getPhase()).as(name + " events " + events + "\n" + nodes.log(spec.getTo().getNode()))
                .isEqualTo(MigrationPhase.Succeeded);
        return phases;
    }

    static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    /** The bytes of a replica as its engine serves them, read with nbdcopy (a real NBD client). */
    static byte[] readThroughExport(String node, String replicaId) throws Exception {
        Path out = root.resolve(replicaId + ".read");
        Process p = new ProcessBuilder("nbdcopy", endpoint(node, replicaId), out.toString()).redirectErrorStream(true)
                .start();
        String log = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as("nbdcopy " + log).isZero();
        byte[] b = Files.readAllBytes(out);
        Files.delete(out);
        return b;
    }

    /** Writes 64 KiB blocks at random places through one NBD connection and keeps the image it acknowledged. */
    static final class Writer implements AutoCloseable {
        final byte[] image;
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicLong writes = new AtomicLong();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread thread;

        Writer(String uri, byte[] start, long seed) {
            image = start.clone();
            thread = new Thread(() -> {
                Random rnd = new Random(seed);
                byte[] block = new byte[BLOCK];
                try (NbdClient c = NbdClient.open(uri)) {
                    while (!stop.get()) {
                        long off = (long) rnd.nextInt((int) (SIZE / BLOCK)) * BLOCK;
                        rnd.nextBytes(block);
                        c.write(off, block, false);
                        synchronized (image) {
                            System.arraycopy(block, 0, image, (int) off, BLOCK);
                        }
                        writes.incrementAndGet();
                        Thread.sleep(2);
                    }
                    c.flushChecked();
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "it-writer");
            thread.start();
        }

        byte[] finish() throws Exception {
            stop.set(true);
            thread.join(60_000);
            assertThat(failure.get()).as("the writer saw no error").isNull();
            synchronized (image) {
                return image.clone();
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join(60_000);
        }
    }

    @Test
    @Order(1)
    void addedReplicaOnAnotherNodeHoldsTheSameBytes() throws Exception {
        byte[] image = createAndFill("node-a", "ssd", "vol-1", 1);
        AtomicReference<VolumeMigrationStatus> st = new AtomicReference<>();
        List<MigrationPhase> phases = run("vol-1-mirror", spec("vol-1", "node-a", "ssd", "node-b", "ssd", true,
                MigrationReason.Affinity), st);
        assertThat(phases).containsSubsequence(MigrationPhase.Snapshotting, MigrationPhase.Transferring,
                MigrationPhase.Verifying, MigrationPhase.CleaningUp, MigrationPhase.Succeeded);
        assertThat(st.get().getBytesMoved()).isPositive();
        assertThat(st.get().getProgressPercent()).isEqualTo(100);
        assertThat(replicas("node-a", "vol-1")).extracting(Replica::getReplicaId).containsExactly("vol-1-r0");
        assertThat(replicas("node-b", "vol-1")).extracting(Replica::getReplicaId)
                .containsExactly(MigrationExecutor.targetReplicaId("vol-1-mirror"));
        Path copy = nodes.node("node-b").root().resolve("ssd/" + MigrationExecutor.targetReplicaId("vol-1-mirror")
                + ".img");
        assertThat(sha256(Files.readAllBytes(copy))).isEqualTo(sha256(image));
        assertThat(sha256(readThroughExport("node-a", "vol-1-r0"))).isEqualTo(sha256(image));
    }

    /** Test 1's volume: from the ssd to the hdd tier of node-a, moved (not copied), with a writer running. */
    @Test
    @Order(2)
    void tierChangeUnderAWriterLosesNoAcknowledgedWrite() throws Exception {
        byte[] start = readThroughExport("node-a", "vol-1-r0");
        String target = MigrationExecutor.targetReplicaId("vol-1-retier");
        AtomicReference<VolumeMigrationStatus> st = new AtomicReference<>();
        byte[] expected;
        try (Writer w = new Writer(endpoint("node-a", "vol-1-r0"), start, 2)) {
            while (w.writes.get() < 50) {
                Thread.sleep(20);
            }
            List<MigrationPhase> phases = run("vol-1-retier", spec("vol-1", "node-a", "ssd", "node-a", "hdd", false,
                    MigrationReason.Tiering), st);
            assertThat(phases).containsSubsequence(MigrationPhase.Transferring, MigrationPhase.Verifying,
                    MigrationPhase.SwitchingOver, MigrationPhase.CleaningUp, MigrationPhase.Succeeded);
            long during = w.writes.get();
            Thread.sleep(300);
            expected = w.finish();
            assertThat(w.writes.get()).as("the writer kept writing through and after the switch")
                    .isGreaterThan(during);
        }
        assertThat(st.get().getPauseMillis()).as("I/O pause measured at the switch").isNotNull();
        assertThat(replicas("node-a", "vol-1")).extracting(Replica::getReplicaId, Replica::getTier)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(target, "hdd"));
        Path hdd = nodes.node("node-a").root().resolve("hdd/" + target + ".img");
        assertThat(sha256(Files.readAllBytes(hdd))).as("hdd replica").isEqualTo(sha256(expected));
        assertThat(Files.exists(nodes.node("node-a").root().resolve("ssd/vol-1-r0.img"))).isFalse();
        // The mirror made in test 1 on node-b is a member of the same replica set: it got the writes too.
        Path mirror = nodes.node("node-b").root().resolve("ssd/" + MigrationExecutor.targetReplicaId("vol-1-mirror")
                + ".img");
        assertThat(sha256(Files.readAllBytes(mirror))).as("mirror on node-b").isEqualTo(sha256(expected));
    }

    /** A full move to another node (Transferring, Verifying, SwitchingOver, CleaningUp) under a writer. */
    @Test
    @Order(3)
    void moveToAnotherNodeUnderAWriterLosesNoAcknowledgedWrite() throws Exception {
        byte[] start = createAndFill("node-b", "ssd", "vol-2", 3);
        String target = MigrationExecutor.targetReplicaId("vol-2-move");
        AtomicReference<VolumeMigrationStatus> st = new AtomicReference<>();
        byte[] expected;
        try (Writer w = new Writer(endpoint("node-b", "vol-2-r0"), start, 4)) {
            while (w.writes.get() < 50) {
                Thread.sleep(20);
            }
            List<MigrationPhase> phases = run("vol-2-move", spec("vol-2", "node-b", "ssd", "node-c", "ssd", false,
                    MigrationReason.PredictedFailure), st);
            assertThat(phases).containsSubsequence(MigrationPhase.Snapshotting, MigrationPhase.Transferring,
                    MigrationPhase.Verifying, MigrationPhase.SwitchingOver, MigrationPhase.CleaningUp,
                    MigrationPhase.Succeeded);
            long during = w.writes.get();
            Thread.sleep(300);
            expected = w.finish();
            assertThat(w.writes.get()).as("the writer kept writing after the switch").isGreaterThan(during);
        }
        assertThat(st.get().getBytesMoved()).isPositive();
        assertThat(st.get().getPauseMillis()).isNotNull();
        assertThat(replicas("node-b", "vol-2")).isEmpty();
        assertThat(replicas("node-c", "vol-2")).extracting(Replica::getReplicaId).containsExactly(target);
        Path moved = nodes.node("node-c").root().resolve("ssd/" + target + ".img");
        assertThat(sha256(Files.readAllBytes(moved))).isEqualTo(sha256(expected));
        System.out.printf("RealNodeMigrationIT: vol-2 moved node-b -> node-c, %d bytes, pause %.3f ms%n",
                st.get().getBytesMoved(), st.get().getPauseMillis());
    }
}
