package dev.prescient.engine.bench;

import dev.prescient.engine.BlockTarget;
import dev.prescient.engine.replication.RemoteReplica;
import dev.prescient.engine.replication.ReplicationServer;
import dev.prescient.engine.replication.ReplicationSettings;
import dev.prescient.engine.store.LocalReplica;
import dev.prescient.engine.store.ReplicaStore;
import dev.prescient.engine.volume.DeltaSync;
import dev.prescient.engine.volume.PausePhases;
import dev.prescient.engine.volume.ReplicaSet;
import dev.prescient.engine.volume.Switchover;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Engine benchmarks that need no NBD client (bench/engine-bench.sh runs the NBD ones with fio):
 * <ol>
 *   <li>live switchover pause over N switchovers under continuous 4 KiB random writes: percentiles,
 *       a histogram of the pause's phases, the slowest pauses with the GC pauses they overlapped,
 *       and a check that no acknowledged write was lost;</li>
 *   <li>two replicas, one remote over loopback (replication transport): sequential 1 MiB write
 *       throughput as a ratio to one local replica;</li>
 *   <li>delta resync of a volume after 1% of its 4 KiB blocks changed, through the replica set's
 *       catch-up into a remote replica: bytes sent vs changed bytes, time vs rsync.</li>
 * </ol>
 * Arguments: --dir DIR (default /tmp) --switchovers 1000 --switch-mib 16 --writers 4 --seq-mib 1024
 * --resync-mib 2048 --only switch|two|resync. The switchover volume is small so that 1,000
 * switchovers (each copies the whole volume once) take a few minutes.
 */
public final class EngineBench {
    private static final int BS = 4096;

    private EngineBench() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new java.util.HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        Path base = Files.createTempDirectory(Path.of(a.getOrDefault("dir", "/tmp")), "engine-bench");
        String only = a.getOrDefault("only", "all");
        // Figures from a loaded machine are not comparable: the load is part of every run's output.
        System.out.println("load before: " + BenchStats.loadavg());
        try {
            if (only.equals("all") || only.equals("switch")) {
                switchover(base, Integer.parseInt(a.getOrDefault("switchovers", "1000")),
                        Long.parseLong(a.getOrDefault("switch-mib", "16")) << 20,
                        Integer.parseInt(a.getOrDefault("writers", "4")));
            }
            if (only.equals("all") || only.equals("two")) {
                twoReplicas(base, Long.parseLong(a.getOrDefault("seq-mib", "1024")) << 20);
            }
            if (only.equals("all") || only.equals("resync")) {
                resync(base, Long.parseLong(a.getOrDefault("resync-mib", "2048")) << 20);
            }
        } finally {
            System.out.println("load after: " + BenchStats.loadavg());
            new ProcessBuilder("rm", "-rf", base.toString()).inheritIO().start().waitFor();
        }
    }

    static ByteBuffer block(long seed, ByteBuffer into) {
        into.clear();
        SplittableRandom r = new SplittableRandom(seed);
        while (into.hasRemaining()) {
            into.putLong(r.nextLong());
        }
        return into.flip();
    }

    // ------------------------------------------------------------------ switchover

    /**
     * Switches a volume from replica to replica {@code count} times while {@code threads} writers
     * write 4 KiB blocks at random, then checks every acknowledged write on the last replica.
     * Prints the pause's percentiles (only those the sample count supports), a histogram of its
     * phases, and the slowest pauses with what they overlapped (GC pauses, the final delta).
     */
    static void switchover(Path base, int count, long size, int threads) throws Exception {
        ReplicaStore store = new ReplicaStore(Map.of("nvme", base.resolve("nvme"), "ssd", base.resolve("ssd")));
        LocalReplica first = store.create("sw-0", "vol", "nvme", size);
        ReplicaSet set = new ReplicaSet("vol", size, BS);
        set.addInSync("sw-0", first, true);
        long blocks = size / BS;
        AtomicLongArray model = new AtomicLongArray((int) blocks); // last acknowledged seed per block
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong writes = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicLong maxWriteNanos = new AtomicLong();
        AtomicLong slowWrites = new AtomicLong(); // writes that took 10 ms or more, as the client saw them
        // Each write is counted as "during" when it began while a switchover ran, "between" otherwise:
        // the same writers on the same machine at the same time are the baseline of the cost.
        AtomicBoolean inSwitch = new AtomicBoolean();
        LatencyHistogram[] during = new LatencyHistogram[threads];
        LatencyHistogram[] between = new LatencyHistogram[threads];
        Thread[] ws = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            int tid = t;
            during[t] = new LatencyHistogram();
            between[t] = new LatencyHistogram();
            ws[t] = new Thread(() -> {
                ByteBuffer buf = ByteBuffer.allocateDirect(BS);
                Random rnd = new Random(tid);
                long seq = ((long) tid << 40) + 1;
                long maxNanos = 0;
                while (!stop.get()) {
                    long blk = rnd.nextInt((int) (blocks / threads)) * (long) threads + tid; // own blocks
                    long seed = ++seq;
                    block(seed, buf);
                    boolean sw = inSwitch.get();
                    long w0 = System.nanoTime();
                    try {
                        set.write(blk * BS, buf, false);
                        long took = System.nanoTime() - w0;
                        (sw ? during[tid] : between[tid]).record(took);
                        maxNanos = Math.max(maxNanos, took);
                        if (took >= 10_000_000L) {
                            slowWrites.incrementAndGet();
                        }
                        model.set((int) blk, seed);
                        writes.incrementAndGet();
                    } catch (IOException e) {
                        errors.incrementAndGet();
                    }
                }
                long m = maxNanos;
                maxWriteNanos.accumulateAndGet(m, Math::max);
            }, "bench-writer-" + t);
            ws[t].start();
        }
        GcWatch gc = new GcWatch();
        Thread.sleep(500);
        Switchover.Report[] reports = new Switchover.Report[count];
        long sent = 0;
        String current = "sw-0";
        long t0 = System.nanoTime();
        long w0 = writes.get();
        boolean verbose = System.getenv("BENCH_VERBOSE") != null;
        for (int i = 1; i <= count; i++) {
            String next = "sw-" + i;
            LocalReplica target = store.create(next, "vol", i % 2 == 1 ? "ssd" : "nvme", size);
            inSwitch.set(true);
            Switchover.Report r;
            try {
                r = new Switchover(set).run(List.of(new Switchover.Target(next, target, true)), Set.of(current), 8, 256);
            } finally {
                inSwitch.set(false);
            }
            reports[i - 1] = r;
            if (verbose) {
                System.out.println("  " + r);
            }
            sent += r.bytesSent();
            store.delete(current);
            current = next;
            Thread.sleep(5); // a few ms between switchovers, so "between" has samples all along the run
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        long w1 = writes.get();
        stop.set(true);
        for (Thread t : ws) {
            t.join();
        }
        gc.close();
        // verify every acknowledged write against the final replica
        BlockTarget fin = set.member(current).target();
        ByteBuffer got = ByteBuffer.allocateDirect(BS);
        ByteBuffer exp = ByteBuffer.allocateDirect(BS);
        long lost = 0;
        long checked = 0;
        for (int b = 0; b < blocks; b++) {
            long seed = model.get(b);
            if (seed == 0) {
                continue;
            }
            got.clear();
            fin.read((long) b * BS, got);
            checked++;
            if (!got.flip().equals(block(seed, exp))) {
                lost++;
            }
        }
        LatencyHistogram dur = new LatencyHistogram();
        LatencyHistogram btw = new LatencyHistogram();
        for (int t = 0; t < threads; t++) {
            dur.add(during[t]);
            btw.add(between[t]);
        }
        long[] pauses = Arrays.stream(reports).mapToLong(Switchover.Report::pauseNanos).toArray();
        long paused = Arrays.stream(pauses).filter(p -> p > 0).count();
        long[] finalBlocks = Arrays.stream(reports).mapToLong(Switchover.Report::finalBlocks).toArray();
        System.out.printf("switchover: %d switchovers of a %d MiB volume under 4 KiB random writes (%d writer threads, %.0f writes/s during, %.1f s)%n",
                count, size >> 20, threads, (w1 - w0) / secs, secs);
        System.out.printf("switchover: %d of %d promoted with I/O flowing (no pause); %d fell back to a paused final round%n",
                count - paused, count, paused);
        System.out.printf("switchover: pause %s (target p99 < 10 ms; a switchover with no pause counts 0)%n",
                BenchStats.summaryMs(pauses));
        System.out.printf("switchover: client 4 KiB write latency while a switchover ran:  %s%n", dur.summary());
        System.out.printf("switchover: client 4 KiB write latency between switchovers:     %s%n", btw.summary());
        System.out.println("switchover: pause phases, count per bucket (ms):");
        System.out.println("  " + BenchStats.histogramHeader("phase"));
        System.out.println("  " + BenchStats.histogramRow("pause", pauses));
        for (int p = 0; p < PausePhases.NAMES.size(); p++) {
            int ph = p;
            long[] v = Arrays.stream(reports).mapToLong(r -> r.phases().toArray()[ph]).toArray();
            System.out.println("  " + BenchStats.histogramRow(PausePhases.NAMES.get(p), v));
        }
        long[] fb = finalBlocks.clone();
        Arrays.sort(fb);
        System.out.printf("switchover: final delta (blocks copied in the pause): p50 %d, max %d; GC pauses during the run: %d, longest %.1f ms%n",
                BenchStats.pct(fb, 0.5), fb[fb.length - 1], gc.count(), gc.longestMs());
        Integer[] order = new Integer[count];
        for (int i = 0; i < count; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (x, y) -> Long.compare(pauses[y], pauses[x]));
        int show = Math.min(count, Math.max(5, count / 100));
        System.out.printf("switchover: the %d longest pauses (ms: total = drain + final-copy + verify + promote + resume; final blocks; GC overlap):%n", show);
        for (int k = 0; k < show; k++) {
            Switchover.Report r = reports[order[k]];
            long[] ph = r.phases().toArray();
            long startMs = gc.toUptimeMs(r.pauseStartNanos());
            long endMs = gc.toUptimeMs(r.pauseStartNanos() + r.pauseNanos());
            StringBuilder parts = new StringBuilder();
            for (int p = 0; p < ph.length; p++) {
                parts.append(p == 0 ? "" : " + ").append(String.format("%.2f", ph[p] / 1e6));
                if (r.phases().cpuNanos() != null && ph[p] >= 1_000_000L) {
                    parts.append(String.format(" (cpu %.2f, runq %.2f)", r.phases().cpuNanos()[p] / 1e6,
                            r.phases().runqNanos()[p] / 1e6));
                }
            }
            System.out.printf("  %7.2f = %s; %d blocks; %s%n", r.pauseNanos() / 1e6, parts, r.finalBlocks(),
                    gc.overlapping(startMs, endMs));
        }
        if (reports[0].phases().cpuNanos() != null) {
            // Where the pausing thread's time went (-Dprescient.pause.schedstat=true): on a CPU, waiting for
            // one (a loaded machine), or neither (blocked in the kernel, on a lock, or asleep).
            for (String which : new String[] {"all pauses", "the longest 1%"}) {
                int upto = which.equals("all pauses") ? count : Math.max(1, count / 100);
                long wall = 0;
                long cpu = 0;
                long runq = 0;
                for (int k = 0; k < upto; k++) {
                    PausePhases f = reports[order[k]].phases();
                    wall += f.totalNanos();
                    cpu += Arrays.stream(f.cpuNanos()).sum();
                    runq += Arrays.stream(f.runqNanos()).sum();
                }
                if (wall == 0) {
                    continue; // no pause to split
                }
                System.out.printf("switchover: %s (%d): on a CPU %.0f%%, waiting for a CPU %.0f%%, blocked %.0f%% of %.1f ms%n",
                        which, upto, 100.0 * cpu / wall, 100.0 * runq / wall, 100.0 * (wall - cpu - runq) / wall, wall / 1e6);
            }
        }
        System.out.printf("switchover: client write latency max %.2f ms, writes >= 10 ms: %d of %d%n",
                maxWriteNanos.get() / 1e6, slowWrites.get(), writes.get());
        System.out.printf("switchover: %d MiB copied in total, write errors %d, acknowledged blocks checked %d, lost %d%n",
                sent >> 20, errors.get(), checked, lost);
        set.close();
        store.close();
    }

    // ------------------------------------------------------------------ two replicas

    static void twoReplicas(Path base, long size) throws Exception {
        ReplicaStore local = new ReplicaStore(Map.of("nvme", base.resolve("two-local")));
        ReplicaStore remoteNode = new ReplicaStore(Map.of("nvme", base.resolve("two-remote")));
        ReplicationServer server = new ReplicationServer(remoteNode,
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), null);
        try {
            double one = seqWrite(local, null, "one", size, server);
            double two = seqWrite(local, remoteNode, "two", size, server);
            System.out.printf("two replicas: sequential 1 MiB writes, %d MiB: one local %.0f MiB/s, local+remote(loopback) %.0f MiB/s, ratio %.2f (target >= 0.6)%n",
                    size >> 20, one, two, two / one);
        } finally {
            server.close();
            local.close();
            remoteNode.close();
        }
    }

    static double seqWrite(ReplicaStore local, ReplicaStore remoteNode, String name, long size,
                           ReplicationServer server) throws Exception {
        LocalReplica l = local.create(name + "-l", name, "nvme", size);
        ReplicaSet set = new ReplicaSet(name, size, BS);
        set.addInSync(l.replicaId(), l, true);
        RemoteReplica rr = null;
        if (remoteNode != null) {
            remoteNode.create(name + "-r", name, "nvme", size).close();
            rr = RemoteReplica.connect(server.address(), name + "-r", null, ReplicationSettings.defaults());
            set.addInSync(rr.replicaId(), rr, false);
        }
        ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
        byte[] rnd = new byte[1 << 20];
        new Random(7).nextBytes(rnd);
        buf.put(rnd).flip();
        long t0 = System.nanoTime();
        for (long off = 0; off < size; off += 1 << 20) {
            set.write(off, buf.duplicate(), false);
        }
        set.flush();
        double mibs = (size >> 20) / ((System.nanoTime() - t0) / 1e9);
        set.close();
        if (rr != null) {
            rr.close();
        }
        local.delete(l.replicaId());
        if (remoteNode != null) {
            remoteNode.delete(name + "-r");
        }
        return mibs;
    }

    // ------------------------------------------------------------------ delta resync

    static void resync(Path base, long size) throws Exception {
        ReplicaStore local = new ReplicaStore(Map.of("nvme", base.resolve("rs-local")));
        ReplicaStore remoteNode = new ReplicaStore(Map.of("nvme", base.resolve("rs-remote")));
        ReplicationServer server = new ReplicationServer(remoteNode,
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), null);
        try {
            LocalReplica a = local.create("a", "vol", "nvme", size);
            remoteNode.create("b", "vol", "nvme", size).close();
            RemoteReplica b = RemoteReplica.connect(server.address(), "b", null, ReplicationSettings.defaults());
            ReplicaSet set = new ReplicaSet("vol", size, BS);
            set.addInSync("a", a, true);
            set.addInSync("b", b, false);
            // Fill both with incompressible data through the set (both replicas identical).
            ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
            byte[] chunk = new byte[1 << 20];
            Random rnd = new Random(11);
            for (long off = 0; off < size; off += 1 << 20) {
                rnd.nextBytes(chunk);
                buf.clear();
                buf.put(chunk).flip();
                set.write(off, buf, false);
            }
            set.flush();
            // The rsync baseline works on two plain files with the same old contents.
            Path oldCopy = base.resolve("rsync-old.img");
            new ProcessBuilder("cp", "--sparse=never", a.dataFile().toString(), oldCopy.toString()).inheritIO()
                    .start().waitFor();
            // The remote replica drops out; 1% of 4 KiB blocks change meanwhile.
            set.fail("b", "benchmark: replica taken offline");
            long blocks = size / BS;
            long changes = blocks / 100;
            ByteBuffer blk = ByteBuffer.allocateDirect(BS);
            SplittableRandom r = new SplittableRandom(5);
            for (long i = 0; i < changes; i++) {
                set.write(r.nextLong(blocks) * BS, block(r.nextLong(), blk), false);
            }
            set.flush();
            long dirty = set.member("b").dirtyBlocks();
            long changedBytes = dirty * BS;
            long t0 = System.nanoTime();
            DeltaSync.Result res = new DeltaSync(set).catchUp("b", 3, 0);
            double ours = (System.nanoTime() - t0) / 1e9;
            a.flush();
            long t1 = System.nanoTime();
            // --ignore-times: same size and a close mtime made rsync skip the file and "win" in 0 s.
            Process p = new ProcessBuilder("rsync", "--inplace", "--no-whole-file", "--ignore-times",
                    a.dataFile().toString(), oldCopy.toString()).inheritIO().start();
            int rc = p.waitFor();
            double rsync = (System.nanoTime() - t1) / 1e9;
            boolean rsyncSame = rc == 0 && Files.mismatch(a.dataFile(), oldCopy) == -1;
            // Check the result: remote equals local.
            ByteBuffer x = ByteBuffer.allocateDirect(1 << 20);
            ByteBuffer y = ByteBuffer.allocateDirect(1 << 20);
            boolean same = true;
            for (long off = 0; off < size && same; off += 1 << 20) {
                x.clear();
                y.clear();
                a.read(off, x);
                b.read(off, y);
                same = x.flip().equals(y.flip());
            }
            System.out.printf("delta resync: %d MiB volume, %d of %d blocks changed (%.2f%%), %d distinct dirty blocks%n",
                    size >> 20, changes, blocks, 100.0 * changes / blocks, dirty);
            System.out.printf("delta resync: bytes sent %d for %d changed bytes, ratio %.3f (target <= 1.2); replicas equal: %s%n",
                    res.bytesSent(), changedBytes, (double) res.bytesSent() / changedBytes, same);
            if (rsyncSame) {
                System.out.printf("delta resync: ours %.2f s (pause %.2f ms), rsync --inplace --no-whole-file --ignore-times %.2f s (target equals source), speed-up %.1fx (target >= 5x)%n",
                        ours, res.pauseNanos() / 1e6, rsync, rsync / ours);
            } else {
                System.out.printf("delta resync: ours %.2f s (pause %.2f ms); rsync baseline INVALID (exit %d, target %s source): no ratio%n",
                        ours, res.pauseNanos() / 1e6, rc, rc == 0 ? "differs from" : "not compared with");
            }
            set.close();
            b.close();
        } finally {
            server.close();
            local.close();
            remoteNode.close();
        }
    }
}
