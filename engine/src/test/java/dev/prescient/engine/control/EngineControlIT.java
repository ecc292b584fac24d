package dev.prescient.engine.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescient.engine.EngineMain;
import dev.prescient.engine.nbd.NbdClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two EngineMain processes, each with its own tier directory: A serves the volume over NBD and is
 * its front-end, B's replica joins A's set through the control channel while a client writes to A.
 */
@Timeout(240)
class EngineControlIT {
    static final int BS = 4096;
    static final int SIZE_MIB = 64;
    static final int WRITE_BLOCKS = 4096; // the writer works in the first 16 MiB
    @TempDir
    Path dir;
    final List<Process> procs = new ArrayList<>();

    record Engine(Process process, Path nbd, Path control, int replicationPort) {
    }

    @AfterEach
    void stop() throws Exception {
        for (Process p : procs) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    Engine start(String name, String replica) throws Exception {
        return start(name, replica, 0);
    }

    /** @param replicationPort 0: any free port */
    Engine start(String name, String replica, int replicationPort) throws Exception {
        Path nbd = dir.resolve(name + ".sock");
        Path ctl = dir.resolve(name + ".ctl");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), EngineMain.class.getName(),
                "--tier", "t=" + dir.resolve("tier-" + name), "--replica", replica + ":vol:t:" + SIZE_MIB + "M",
                "--unix", nbd.toString(), "--control", ctl.toString(), "--replication-listen",
                "127.0.0.1:" + replicationPort)
                .redirectErrorStream(true).start();
        procs.add(p);
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()));
        String line;
        int port = -1;
        StringBuilder seen = new StringBuilder();
        while ((line = out.readLine()) != null && !line.equals("ready")) {
            seen.append(line).append('\n');
            if (line.startsWith("replication ")) {
                port = Integer.parseInt(line.substring(12).strip());
            }
        }
        assertThat(line).as("engine %s start: %s", name, seen).isEqualTo("ready");
        Thread drain = new Thread(() -> {
            try {
                String l;
                while ((l = out.readLine()) != null) {
                    System.out.println("[" + name + "] " + l);
                }
            } catch (IOException ignored) {
                // process ended
            }
        });
        drain.setDaemon(true);
        drain.start();
        return new Engine(p, nbd, ctl, port);
    }

    static ControlClient.Answer call(Engine e, String req, List<String> lines) throws IOException {
        return ControlClient.call(e.control(), req, lines::add);
    }

    static ByteBuffer block(long blockIndex, long version) {
        ByteBuffer b = ByteBuffer.allocate(BS);
        Random r = new Random(blockIndex * 1_000_003L + version);
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

    /** One writer thread: random blocks, every acknowledged write's checksum kept as the reference. */
    static final class Writer {
        final long[] reference = new long[WRITE_BLOCKS];
        final AtomicLong acked = new AtomicLong();
        final AtomicBoolean stop = new AtomicBoolean();
        final CompletableFuture<Throwable> done;

        Writer(Path socket) throws IOException {
            NbdClient c = NbdClient.connect(socket, "rA");
            long zero = crc(ByteBuffer.allocate(BS));
            java.util.Arrays.fill(reference, zero);
            done = CompletableFuture.supplyAsync(() -> {
                Random r = new Random(7);
                try (c) {
                    for (long v = 1; !stop.get(); v++) {
                        long i = r.nextInt(WRITE_BLOCKS);
                        ByteBuffer data = block(i, v);
                        int err = c.write(i * BS, data.duplicate(), v % 16 == 0);
                        if (err != 0) {
                            return new IOException("NBD write error " + err + " at block " + i);
                        }
                        reference[(int) i] = crc(data);
                        acked.incrementAndGet();
                    }
                    return c.flush() == 0 ? null : new IOException("flush failed");
                } catch (Throwable t) {
                    return t;
                }
            });
        }

        void finish() throws Exception {
            stop.set(true);
            assertThat(done.get(60, TimeUnit.SECONDS)).as("writer error").isNull();
        }
    }

    static void assertFileMatches(Path img, long[] reference) throws IOException {
        byte[] all = Files.readAllBytes(img);
        for (int i = 0; i < reference.length; i++) {
            ByteBuffer b = ByteBuffer.wrap(all, i * BS, BS);
            assertThat(crc(b)).as("block %d of %s", i, img).isEqualTo(reference[i]);
        }
    }

    void awaitAcked(Writer w, long n) throws Exception {
        long target = w.acked.get() + n;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (w.acked.get() < target) {
            assertThat(w.done).as("writer stopped early").isNotDone();
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Reads blocks [0, n) through the front-end and compares them with {@code reference}. */
    static void assertReadsMatch(Path nbd, long[] reference, int n) throws IOException {
        try (NbdClient c = NbdClient.connect(nbd, "rA")) {
            for (int i = 0; i < n; i++) {
                assertThat(crc(c.read((long) i * BS, BS))).as("block %d read through the front-end", i)
                        .isEqualTo(reference[i]);
            }
        }
    }

    static String readSource(Engine e) throws IOException {
        return ControlClient.call(e.control(), "STATUS", l -> { }).get("read-source");
    }

    void awaitReadSource(Engine e, String id) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!id.equals(readSource(e))) {
            assertThat(System.nanoTime()).as("read source %s on %s", id, e.control()).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    /**
     * READ makes a kept member the read source without dropping anyone: writes still reach every member, reads come
     * from the chosen one (seen by changing a block behind the engines' backs in that replica's file only), a member
     * that is not in sync is refused, one that falls behind (its engine killed) never serves a read of data written
     * meanwhile, and both a restarted member and a restarted front-end serve reads from the chosen member again.
     */
    @Test
    void aKeptMemberServesReadsOnlyWhileInSyncAndTheChoiceSurvivesRestarts() throws Exception {
        int portB = freePort();
        Engine a = start("a", "rA");
        Engine b = start("b", "rB", portB);
        Engine c = start("c", "rC");
        int n = 1024;
        long[] ref = new long[n + 1];
        java.util.Arrays.fill(ref, crc(ByteBuffer.allocate(BS)));
        try (NbdClient cl = NbdClient.connect(a.nbd(), "rA")) {
            for (int i = 0; i < n; i++) {
                ByteBuffer d = block(i, 1);
                assertThat(cl.write((long) i * BS, d.duplicate(), false)).isZero();
                ref[i] = crc(d);
            }
            assertThat(cl.flush()).isZero();
        }
        List<String> lines = new ArrayList<>();
        assertThat(call(a, "ATTACH rB 127.0.0.1:" + portB, lines).ok()).isTrue();
        ControlClient.Answer notYet = call(a, "READ rB", lines);
        assertThat(notYet.ok()).isFalse();
        assertThat(notYet.reason()).isEqualTo("NotInSync");
        assertThat(call(a, "CATCHUP rB", lines).ok()).isTrue();
        assertThat(readSource(a)).isEqualTo("rA");

        ControlClient.Answer rd = call(a, "READ rB", lines);
        assertThat(rd.ok()).as(rd.text()).isTrue();
        assertThat(rd.get("previous")).isEqualTo("rA");
        lines.clear();
        ControlClient.Answer st = call(a, "STATUS", lines);
        assertThat(st.get("read-source")).isEqualTo("rB");
        assertThat(st.get("members")).isEqualTo("2");
        assertThat(lines).anyMatch(l -> l.startsWith("MEMBER id=rA local=true mode=RW"))
                .anyMatch(l -> l.startsWith("MEMBER id=rB local=false mode=RW"));
        assertThat(Files.readString(a.control().resolveSibling("a.ctl.members"))).contains("reads rB")
                .contains("local rA member");

        // Writes after the switch reach both replicas; reads through the front-end see them.
        try (NbdClient cl = NbdClient.connect(a.nbd(), "rA")) {
            for (int i = 0; i < n / 2; i++) {
                ByteBuffer d = block(i, 2);
                assertThat(cl.write((long) i * BS, d.duplicate(), false)).isZero();
                ref[i] = crc(d);
            }
            assertThat(cl.flush()).isZero();
        }
        assertReadsMatch(a.nbd(), ref, n);
        assertFileMatches(dir.resolve("tier-a").resolve("rA.img"), java.util.Arrays.copyOf(ref, n));
        assertFileMatches(dir.resolve("tier-b").resolve("rB.img"), java.util.Arrays.copyOf(ref, n));

        // Which copy answers: a block changed in B's file only (never through the volume) shows through.
        ByteBuffer marker = block(n, 99);
        try (java.nio.channels.FileChannel f = java.nio.channels.FileChannel.open(
                dir.resolve("tier-b").resolve("rB.img"), java.nio.file.StandardOpenOption.WRITE)) {
            f.write(marker.duplicate(), (long) n * BS);
            f.force(true);
        }
        try (NbdClient cl = NbdClient.connect(a.nbd(), "rA")) {
            assertThat(crc(cl.read((long) n * BS, BS))).as("served by rB").isEqualTo(crc(marker));
            assertThat(call(a, "READ rA", lines).ok()).isTrue();
            assertThat(crc(cl.read((long) n * BS, BS))).as("served by rA").isEqualTo(ref[n]);
            // Put the block back in B, then read from B again.
            ByteBuffer zero = ByteBuffer.allocate(BS);
            try (java.nio.channels.FileChannel f = java.nio.channels.FileChannel.open(
                    dir.resolve("tier-b").resolve("rB.img"), java.nio.file.StandardOpenOption.WRITE)) {
                f.write(zero, (long) n * BS);
                f.force(true);
            }
            assertThat(call(a, "READ rB", lines).ok()).isTrue();
        }

        // Bad input: not a member, a member not in sync (C attached, not caught up), a malformed id.
        ControlClient.Answer unknown = call(a, "READ rX", lines);
        assertThat(unknown.ok()).isFalse();
        assertThat(unknown.reason()).isEqualTo("NotMember");
        assertThat(call(a, "ATTACH rC 127.0.0.1:" + c.replicationPort(), lines).ok()).isTrue();
        // While C catches up (slowly: the command lock is held), READ answers at once: reads can leave a failing
        // disk while an evacuation copies.
        AtomicBoolean stopCatchUp = new AtomicBoolean();
        CompletableFuture<Void> slow = CompletableFuture.runAsync(() -> {
            try {
                ControlClient.call(a.control(), "CATCHUP rC bps=262144", l -> {
                    if (stopCatchUp.get()) {
                        throw new java.util.concurrent.CancellationException("enough");
                    }
                });
            } catch (IOException | java.util.concurrent.CancellationException ignored) {
                // hung up: the catch-up stops, C keeps its dirty blocks
            }
        });
        Thread.sleep(500);
        long t0 = System.nanoTime();
        ControlClient.Answer wo = call(a, "READ rC", lines);
        assertThat(wo.ok()).isFalse();
        assertThat(wo.reason()).isEqualTo("NotInSync");
        assertThat(call(a, "READ rA", lines).ok()).isTrue();
        assertThat(call(a, "READ rB", lines).ok()).isTrue();
        assertThat(System.nanoTime() - t0).as("READ beside a running catch-up").isLessThan(TimeUnit.SECONDS.toNanos(5));
        assertThat(slow).as("the catch-up was still running").isNotDone();
        stopCatchUp.set(true);
        slow.get(60, TimeUnit.SECONDS);
        assertThat(call(a, "READ r/x", lines).reason()).isEqualTo("BadRequest");
        assertThat(call(a, "DETACH rC", lines).ok()).isTrue();

        // B falls behind: its engine dies, writes go on (acknowledged by A alone), reads never come from B.
        b.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        try (NbdClient cl = NbdClient.connect(a.nbd(), "rA")) {
            for (int i = 0; i < 200; i++) {
                ByteBuffer d = block(i, 3);
                assertThat(cl.write((long) i * BS, d.duplicate(), false)).isZero();
                ref[i] = crc(d);
            }
            assertThat(cl.flush()).isZero();
        }
        assertThat(readSource(a)).isEqualTo("rA");
        assertReadsMatch(a.nbd(), ref, n);

        // B back on the same port: the reconnect loop catches it up, then it serves the reads again.
        Engine b2 = start("b", "rB", portB);
        awaitReadSource(a, "rB");
        assertReadsMatch(a.nbd(), ref, n);
        assertFileMatches(dir.resolve("tier-b").resolve("rB.img"), java.util.Arrays.copyOf(ref, n));

        // The front-end restarts: the choice is read back from its membership file.
        a.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        Engine a2 = start("a", "rA");
        awaitReadSource(a2, "rB");
        assertThat(call(a2, "STATUS", lines).get("chosen-read-source")).isEqualTo("rB");
        assertReadsMatch(a2.nbd(), ref, n);
        assertThat(b2.process().isAlive()).isTrue();
    }

    @Test
    void attachCatchUpAndSwitchToARemoteReplicaWhileAClientWrites() throws Exception {
        Engine a = start("a", "rA");
        Engine b = start("b", "rB");
        // Data beyond the writer's range, so the catch-up has more to copy than the writes.
        try (NbdClient c = NbdClient.connect(a.nbd(), "rA")) {
            for (int i = WRITE_BLOCKS; i < WRITE_BLOCKS + 2048; i++) {
                assertThat(c.write((long) i * BS, block(i, 0), false)).isZero();
            }
        }
        Writer w = new Writer(a.nbd());
        awaitAcked(w, 500);

        List<String> lines = new CopyOnWriteArrayList<>();
        ControlClient.Answer att = call(a, "ATTACH rB 127.0.0.1:" + b.replicationPort(), lines);
        assertThat(att.ok()).as(att.text()).isTrue();
        assertThat(att.number("dirty-bytes")).isGreaterThan(0);
        ControlClient.Answer st = call(a, "STATUS", lines);
        assertThat(lines).anyMatch(l -> l.startsWith("MEMBER id=rB local=false mode=WO"));
        assertThat(st.get("members")).isEqualTo("2");

        lines.clear();
        ControlClient.Answer cu = call(a, "CATCHUP rB", lines);
        assertThat(cu.ok()).as(cu.text()).isTrue();
        assertThat(cu.number("copied-bytes")).isGreaterThanOrEqualTo(2048L * BS);
        assertThat(lines).anyMatch(l -> l.startsWith("PROGRESS done="));
        awaitAcked(w, 300);

        ControlClient.Answer scrub = call(a, "SCRUB", lines);
        assertThat(scrub.ok()).as(scrub.text()).isTrue();
        assertThat(scrub.number("unrepaired")).isZero();
        assertThat(scrub.number("compared-bytes")).isGreaterThan(0);

        ControlClient.Answer sw = call(a, "SWITCH rB rA max-pause-ms=2000", lines);
        assertThat(sw.ok()).as(sw.text()).isTrue();
        System.out.println("switch pause: " + sw.number("pause-us") + " us; catch-up " + cu.text());
        assertThat(sw.number("pause-us")).as("SWITCH publishes the new member list without pausing I/O").isZero();
        assertThat(sw.text()).contains("drain-us=");
        lines.clear();
        call(a, "STATUS", lines);
        assertThat(lines).hasSize(1).first().asString().startsWith("MEMBER id=rB local=false mode=RW");
        assertThat(Files.readString(a.control().resolveSibling("a.ctl.members"))).contains("local rA dropped")
                .contains("remote rB 127.0.0.1:" + b.replicationPort() + " in-sync");

        awaitAcked(w, 500); // written to B only now
        w.finish();
        b.process().destroy(); // SIGTERM: B closes its replica cleanly
        assertThat(b.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertFileMatches(dir.resolve("tier-b").resolve("rB.img"), w.reference);
        byte[] imgB = Files.readAllBytes(dir.resolve("tier-b").resolve("rB.img"));
        for (int i = WRITE_BLOCKS; i < WRITE_BLOCKS + 2048; i++) {
            assertThat(crc(ByteBuffer.wrap(imgB, i * BS, BS))).as("pre-filled block %d", i).isEqualTo(crc(block(i, 0)));
        }
    }

    @Test
    void aRestartedFrontEndReattachesItsMembersAndACancelledCatchUpKeepsTheSourceServing() throws Exception {
        Engine a = start("a", "rA");
        Engine b = start("b", "rB");
        try (NbdClient c = NbdClient.connect(a.nbd(), "rA")) {
            for (int i = 0; i < 4096; i++) {
                assertThat(c.write((long) i * BS, block(i, 1), false)).isZero();
            }
            assertThat(c.flush()).isZero();
        }
        assertThat(call(a, "ATTACH rB 127.0.0.1:" + b.replicationPort(), new ArrayList<>()).ok()).isTrue();
        // A slow catch-up cancelled by closing the connection once a progress line shows blocks copied
        // (on a loaded machine the first lines can come before any block went: then B would keep nothing).
        AtomicBoolean sawProgress = new AtomicBoolean();
        try {
            ControlClient.call(a.control(), "CATCHUP rB bps=1048576", l -> {
                java.util.regex.Matcher done = java.util.regex.Pattern.compile("done=(\\d+)").matcher(l);
                if (done.find() && Long.parseLong(done.group(1)) >= 64L * BS) {
                    sawProgress.set(true);
                    throw new java.util.concurrent.CancellationException("enough");
                }
            });
        } catch (java.util.concurrent.CancellationException expected) {
            // the client hung up
        }
        assertThat(sawProgress).isTrue();
        // DETACH waits for the cancelled catch-up to let go of the set (the next progress line fails).
        long t0 = System.nanoTime();
        assertThat(call(a, "DETACH rB", new ArrayList<>()).get("existed")).isEqualTo("true");
        assertThat(System.nanoTime() - t0).as("cancel noticed").isLessThan(TimeUnit.SECONDS.toNanos(20));
        List<String> lines = new ArrayList<>();
        call(a, "STATUS", lines);
        assertThat(lines).containsExactly("MEMBER id=rA local=true mode=RW dirty-blocks=0 lag-bytes=0 endpoint=- error=-");

        // B keeps what the cancelled round copied: attached again as an existing copy, the delta
        // sends only blocks whose hash differs.
        ControlClient.Answer again = call(a, "ATTACH rB 127.0.0.1:" + b.replicationPort() + " existing=true",
                new ArrayList<>());
        assertThat(again.ok()).as(again.text()).isTrue();
        assertThat(again.number("dirty-bytes")).isEqualTo((long) SIZE_MIB << 20);
        ControlClient.Answer cu = call(a, "CATCHUP rB", new ArrayList<>());
        assertThat(cu.ok()).as(cu.text()).isTrue();
        assertThat(cu.number("sent-bytes")).as(cu.text()).isLessThan(4096L * BS);
        ControlClient.Answer cu2 = call(a, "CATCHUP rB", new ArrayList<>());
        assertThat(cu2.number("rounds")).as("already in sync").isZero();
        // kill -9 the front-end: restarted, it finds rB in its membership file and catches it up.
        a.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        Engine a2 = start("a", "rA");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        do {
            lines.clear();
            call(a2, "STATUS", lines);
            Thread.sleep(100);
        } while (lines.stream().noneMatch(l -> l.startsWith("MEMBER id=rB local=false mode=RW"))
                && System.nanoTime() < deadline);
        assertThat(lines).anyMatch(l -> l.startsWith("MEMBER id=rB local=false mode=RW"));

        // Malformed requests on the real socket: an ERR line, the engine keeps serving.
        for (String bad : List.of("FROB", "ATTACH", "SWITCH rB rB", "CATCHUP nobody", "DETACH rA",
                "SWITCH rB nobody")) {
            ControlClient.Answer ans = call(a2, bad, new ArrayList<>());
            assertThat(ans.ok()).as(bad).isFalse();
        }
        assertThat(rawExchange(a2.control(), new byte[]{(byte) 0xff, (byte) 0xfe, '\n'})).startsWith("ERR BadRequest");
        assertThat(rawExchange(a2.control(), ("DETACH " + "x".repeat(5000) + "\n").getBytes(StandardCharsets.US_ASCII)))
                .startsWith("ERR BadRequest");
        try (NbdClient c = NbdClient.connect(a2.nbd(), "rA")) {
            assertThat(crc(c.read(100L * BS, BS))).isEqualTo(crc(block(100, 1)));
        }
        assertThat(call(a2, "DETACH rB", new ArrayList<>()).ok()).isTrue();
        assertThat(Files.readString(dir.resolve("a.ctl.members"))).doesNotContain("rB");
    }

    static String rawExchange(Path socket, byte[] request) throws IOException {
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(socket));
            try {
                c.write(ByteBuffer.wrap(request));
            } catch (IOException e) {
                // the server may close before reading everything; its answer is still there
            }
            ByteBuffer buf = ByteBuffer.allocate(4096);
            while (c.read(buf) >= 0) {
                // until the server closes
            }
            return new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII);
        }
    }
}
