package dev.prescient.engine.replication.bench;

import dev.prescient.engine.BlockSink;
import dev.prescient.engine.bench.BenchStats;
import dev.prescient.engine.replication.Compression;
import dev.prescient.engine.replication.RemoteReplica;
import dev.prescient.engine.replication.ReplicationServer;
import dev.prescient.engine.replication.ReplicationSettings;
import dev.prescient.engine.store.LocalReplica;
import dev.prescient.engine.store.ReplicaStore;
import dev.prescient.engine.tls.TlsConfig;
import dev.prescient.engine.volume.DeltaSync;
import dev.prescient.engine.volume.ReplicaSet;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * Replication benchmarks over loopback into real replica files (see bench/replication-bench.sh):
 * <ol>
 *   <li>delta resync of a volume after 1% of its 4 KiB blocks changed at random while a remote
 *       replica was away, through the path the control channel's CATCHUP runs (the replica set's
 *       dirty bitmap, DeltaSync into a RemoteReplica): bytes on the wire vs changed bytes, and time
 *       vs {@code rsync --inplace --no-whole-file --ignore-times} between the same files; both
 *       targets are compared with the source;</li>
 *   <li>bulk full sync per codec (NONE, LZ4, ZSTD) of real data, to choose the default codec;</li>
 *   <li>sequential 1 MiB writes through RemoteReplica (plain and mutual TLS) vs writes into a local
 *       replica and a plain file.</li>
 * </ol>
 * Options: --dir DIR (scratch, emptied), --size-mib N (volume, default 2048), --changed-percent P (1),
 * --fill-percent P (share of the volume filled with real file data, 60), --codec-mib N per codec
 * run, default 512), --throughput-mib N (1024), --codec LZ4|ZSTD|NONE (for the delta run),
 * --parts a,b,c (which parts to run).
 */
public final class ReplicationBench {
    private static final int BS = 4096;
    private static final int MIB = 1 << 20;

    private final Path dir;
    private final long size;
    private final double changedPercent;
    private final double fillPercent;
    private final long codecBytes;
    private final long throughputBytes;
    private final Compression codec;
    private final String parts;
    private ReplicaStore store;
    private ReplicationServer server;
    private long filled;

    private ReplicationBench(Map<String, String> o) {
        dir = Path.of(o.getOrDefault("dir", "/tmp/prescient-replication-bench"));
        size = Long.parseLong(o.getOrDefault("size-mib", "2048")) * MIB;
        changedPercent = Double.parseDouble(o.getOrDefault("changed-percent", "1"));
        fillPercent = Double.parseDouble(o.getOrDefault("fill-percent", "60"));
        codecBytes = Long.parseLong(o.getOrDefault("codec-mib", "512")) * MIB;
        throughputBytes = Long.parseLong(o.getOrDefault("throughput-mib", "1024")) * MIB;
        codec = Compression.valueOf(o.getOrDefault("codec", "LZ4"));
        parts = o.getOrDefault("parts", "a,b,c");
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        new ReplicationBench(o).run();
    }

    private void run() throws Exception {
        deleteTree(dir);
        store = new ReplicaStore(Map.of("a", dir.resolve("a"), "b", dir.resolve("b")));
        server = new ReplicationServer(store, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), null);
        System.out.println("load before: " + BenchStats.loadavg());
        try {
            System.out.printf("replication benchmark: volume %d MiB, %d cores, scratch %s%n",
                    size / MIB, Runtime.getRuntime().availableProcessors(), dir);
            // The codec run (c) reads the volume that (a) fills.
            delta(parts.contains("a"));
            if (parts.contains("c")) {
                codecs();
            }
            if (parts.contains("b")) {
                throughput();
            }
        } finally {
            server.close();
            store.close();
            deleteTree(dir);
            System.out.println("load after: " + BenchStats.loadavg());
        }
    }

    // ---------------------------------------------------------------- (a) delta resync vs rsync

    private void delta(boolean measure) throws Exception {
        LocalReplica src = store.create("src", "vol", "a", size);
        store.create("dst", "vol", "b", size).close();
        fillWithRealData(src, (long) (size * fillPercent / 100));
        src.flush();
        if (!measure) {
            src.close();
            store.delete("dst");
            return;
        }

        // The real path, as the control channel's ATTACH and CATCHUP run it: the volume's replica
        // set tracks dirty blocks and DeltaSync catches the remote replica up (rounds without
        // fsync, a paused last round, one flush at the end). The comparison is what reaches the
        // target as a durable, verified copy: the replicas are compared byte for byte at the end.
        ReplicationSettings settings = ReplicationSettings.defaults().withCompression(codec);
        ReplicaSet set = new ReplicaSet("vol", size, BS);
        set.addInSync("src", src, true);
        try (RemoteReplica dst = RemoteReplica.connect(server.address(), "dst", null, settings)) {
            // A brand-new replica: only the allocated part is copied, holes never travel.
            long t0 = System.nanoTime();
            set.addNew("dst", dst, false, true, 0);
            DeltaSync.Result full = new DeltaSync(set).catchUp("dst", 12, 256);
            double fullSec = (System.nanoTime() - t0) / 1e9;
            System.out.printf("%n(a0) initial sync of a new replica through the replica set's catch-up (%s): %d MiB allocated"
                            + " of %d MiB in %.2f s = %.0f MiB/s, %d MiB on the wire (%.2fx of allocated)%n",
                    codec, filled / MIB, size / MIB, fullSec, filled / MIB / fullSec,
                    full.bytesSent() / MIB, (double) full.bytesSent() / filled);

            Path dstFile = dir.resolve("b").resolve("dst.img");
            Path srcFile = dir.resolve("a").resolve("src.img");
            Path rsyncFile = dir.resolve("b").resolve("rsync-dst.img");
            exec(List.of("cp", "--sparse=always", dstFile.toString(), rsyncFile.toString()));

            // The replica drops out (as when its node goes away); 1% of the 4 KiB blocks change at
            // random through the set meanwhile, which records them in the replica's dirty bitmap.
            set.fail("dst", "benchmark: replica taken offline");
            long blocks = size / BS;
            int changes = (int) (blocks * changedPercent / 100);
            BitSet changed = new BitSet((int) blocks);
            Random rnd = new Random(42);
            ByteBuffer block = ByteBuffer.allocateDirect(BS);
            byte[] noise = new byte[BS];
            while (changed.cardinality() < changes) {
                int b = rnd.nextInt((int) blocks);
                if (!changed.get(b)) {
                    changed.set(b);
                    rnd.nextBytes(noise);
                    block.clear().put(noise).flip();
                    set.write((long) b * BS, block, false);
                }
            }
            set.flush();
            long changedBytes = (long) changes * BS;
            long dirty = set.member("dst").dirtyBlocks();

            // Back: reconnect (as CATCHUP does for an ERR remote member) and catch up.
            long t1 = System.nanoTime();
            dst.reconnect();
            DeltaSync.Result res = new DeltaSync(set).catchUp("dst", 12, 256);
            double ourSec = (System.nanoTime() - t1) / 1e9;
            long sent = res.bytesSent();
            boolean equal = sameContents(srcFile, dstFile);

            long t2 = System.nanoTime();
            String stats = exec(List.of("rsync", "--inplace", "--no-whole-file", "--ignore-times", "--stats",
                    srcFile.toString(), rsyncFile.toString()));
            double rsyncSec = (System.nanoTime() - t2) / 1e9;
            boolean rsyncEqual = sameContents(srcFile, rsyncFile);
            String literal = stats.lines().filter(l -> l.startsWith("Literal data") || l.startsWith("Total bytes sent"))
                    .map(String::trim).reduce((x, y) -> x + "; " + y).orElse("?");

            System.out.printf("(a) delta resync of %d MiB after %.2f%% of %d-byte blocks changed (%d blocks, %d bytes),"
                            + " %d dirty blocks tracked by the set:%n",
                    size / MIB, changedPercent, BS, changes, changedBytes, dirty);
            System.out.printf("    prescient (reconnect + catch-up, %d rounds, pause %.2f ms, ends with the target's fsync): %.3f s,"
                            + " %d bytes on the wire = %.3fx changed bytes (target <= 1.2), target equal: %s%n",
                    res.rounds(), res.pauseNanos() / 1e6, ourSec, sent, (double) sent / changedBytes, equal);
            System.out.printf("    rsync --inplace --no-whole-file --ignore-times: %.3f s, no fsync (%s), target equal: %s%n",
                    rsyncSec, literal, rsyncEqual);
            if (equal && rsyncEqual) {
                System.out.printf("    speed-up vs rsync: %.1fx (target >= 5)%n", rsyncSec / ourSec);
            } else {
                System.out.printf("    speed-up vs rsync: none printed, a target differs from its source%n");
            }
            Files.deleteIfExists(rsyncFile);
            set.remove("dst");
        } finally {
            set.close();
        }
        store.delete("dst");
    }

    /** Writes real files (from /usr) into the volume, front to back, until {@code bytes}. */
    private void fillWithRealData(LocalReplica r, long bytes) throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect(MIB);
        List<Path> files = new ArrayList<>();
        for (String root : new String[] {"/usr/lib", "/usr/share", "/usr/bin"}) {
            if (!Files.isDirectory(Path.of(root))) {
                continue;
            }
            try (Stream<Path> s = Files.walk(Path.of(root))) {
                s.filter(Files::isRegularFile).filter(p -> !Files.isSymbolicLink(p)).sorted().forEach(files::add);
            } catch (IOException | RuntimeException e) {
                // unreadable corners of /usr are skipped
            }
        }
        byte[] chunk = new byte[64 * 1024];
        long off = 0;
        Random rnd = new Random(7);
        outer:
        for (int round = 0; ; round++) {
            for (Path f : files) {
                try (InputStream in = Files.newInputStream(f)) {
                    int n;
                    while ((n = in.read(chunk)) > 0) {
                        if (round > 0) {
                            // A second pass must not be a byte-for-byte repeat, or dedup would be flattered.
                            chunk[rnd.nextInt(n)] ^= 1;
                        }
                        int k = (int) Math.min(n, Math.min(buf.remaining(), bytes - off - buf.position()));
                        buf.put(chunk, 0, k);
                        if (!buf.hasRemaining() || off + buf.position() >= bytes) {
                            buf.flip();
                            int len = buf.remaining();
                            r.write(off, buf, false);
                            off += len;
                            buf.clear();
                            if (off >= bytes) {
                                break outer;
                            }
                        }
                    }
                } catch (IOException e) {
                    // skip unreadable files
                }
            }
            if (files.isEmpty()) {
                throw new IOException("no files under /usr to fill the volume with");
            }
        }
        filled = (off + BS - 1) / BS * BS;
    }

    // ---------------------------------------------------------------- (c) codec choice

    private void codecs() throws Exception {
        LocalReplica src = store.openReplica("src");
        long bytes = Math.min(codecBytes, filled);
        System.out.printf("%n(c) bulk sync of %d MiB of real file data into a fresh replica, per codec (dedup on):%n", bytes / MIB);
        ByteBuffer buf = ByteBuffer.allocateDirect(MIB);
        for (Compression c : Compression.values()) {
            String id = "codec-" + c.name().toLowerCase();
            store.create(id, "vol", "b", bytes).close();
            try (RemoteReplica dst = RemoteReplica.connect(server.address(), id, null,
                    ReplicationSettings.defaults().withCompression(c))) {
                long t0 = System.nanoTime();
                BlockSink sink = dst.openSink(BS);
                for (long off = 0; off < bytes; off += MIB) {
                    buf.clear().limit((int) Math.min(MIB, bytes - off));
                    src.read(off, buf);
                    buf.flip();
                    for (int p = 0; p < buf.limit(); p += BS) {
                        sink.put((off + p) / BS, buf.duplicate().position(p).limit(Math.min(p + BS, buf.limit())));
                    }
                }
                sink.finish();
                double sec = (System.nanoTime() - t0) / 1e9;
                System.out.printf("    %-4s %6.2f s  %6.0f MiB/s  wire %5d MiB = %.3fx of raw%n", c, sec, bytes / MIB / sec,
                        sink.bytesTransferred() / MIB, (double) sink.bytesTransferred() / bytes);
            }
            store.delete(id);
        }
        src.close();
    }

    // ---------------------------------------------------------------- (b) write throughput

    private void throughput() throws Exception {
        long bytes = throughputBytes;
        ByteBuffer data = ByteBuffer.allocateDirect(MIB);
        byte[] noise = new byte[MIB];
        new Random(3).nextBytes(noise);
        data.put(noise).flip();
        System.out.printf("%n(b) sequential 1 MiB writes of %d MiB, then one flush (fsync):%n", bytes / MIB);

        Path plain = dir.resolve("b").resolve("plain.bin");
        double fileSec;
        try (FileChannel ch = FileChannel.open(plain, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            long t0 = System.nanoTime();
            for (long off = 0; off < bytes; off += MIB) {
                ByteBuffer d = data.duplicate();
                while (d.hasRemaining()) {
                    ch.write(d, off + d.position());
                }
            }
            ch.force(false);
            fileSec = (System.nanoTime() - t0) / 1e9;
        }
        Files.delete(plain);
        report("plain local file (FileChannel)", bytes, fileSec, fileSec);

        double localSec;
        try (LocalReplica local = store.create("local", "vol", "b", bytes)) {
            localSec = sequential(local::write, local::flush, bytes, data, 1);
        }
        store.delete("local");
        report("local replica (LocalReplica)", bytes, localSec, fileSec);

        for (int qd : new int[] {1, 4}) {
            store.create("remote", "vol", "b", bytes).close();
            try (RemoteReplica remote = RemoteReplica.connect(server.address(), "remote", null, ReplicationSettings.defaults())) {
                double sec = sequential(remote::write, remote::flush, bytes, data, qd);
                report("RemoteReplica over loopback, " + qd + " writer" + (qd > 1 ? "s" : ""), bytes, sec, fileSec);
            }
            store.delete("remote");
        }

        // The same over mutual TLS, with throwaway certificates from the openssl command line.
        Path pki = dir.resolve("pki");
        Files.createDirectories(pki);
        openssl(pki, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", "ca.key", "-out", "ca.pem", "-days", "1", "-subj", "/CN=bench-ca");
        for (String n : new String[] {"server", "client"}) {
            openssl(pki, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", n + ".key", "-out", n + ".csr", "-subj", "/CN=" + n);
            openssl(pki, "x509", "-req", "-in", n + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                    "-CAcreateserial", "-out", n + ".pem", "-days", "1");
        }
        TlsConfig serverTls = TlsConfig.fromPem(pki.resolve("server.pem"), pki.resolve("server.key"), pki.resolve("ca.pem"));
        TlsConfig clientTls = TlsConfig.fromPem(pki.resolve("client.pem"), pki.resolve("client.key"), pki.resolve("ca.pem"));
        store.create("remote", "vol", "b", bytes).close();
        try (ReplicationServer tlsServer = new ReplicationServer(store,
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), serverTls);
             RemoteReplica remote = RemoteReplica.connect(tlsServer.address(), "remote", clientTls,
                     ReplicationSettings.defaults())) {
            // Warm up the JIT on the TLS code path first: the plain runs never touched it.
            sequential(remote::write, remote::flush, Math.min(bytes, 128L * MIB), data, 1);
            double sec = sequential(remote::write, remote::flush, bytes, data, 1);
            report("RemoteReplica over loopback, mTLS 1.3", bytes, sec, fileSec);
        }
        store.delete("remote");
    }

    private static void openssl(Path cwd, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add("openssl");
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException(cmd + " failed: " + out);
        }
    }

    private interface Writer {
        void write(long offset, ByteBuffer src, boolean fua) throws IOException;
    }

    private interface Flusher {
        void flush() throws IOException;
    }

    /** Writes the range in 1 MiB requests from {@code threads} writers, each owning an interleaved share. */
    private static double sequential(Writer w, Flusher f, long bytes, ByteBuffer data, int threads) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            long t0 = System.nanoTime();
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                fs.add(pool.submit(() -> {
                    for (long off = (long) id * MIB; off < bytes; off += (long) threads * MIB) {
                        w.write(off, data.duplicate(), false);
                    }
                    return null;
                }));
            }
            for (Future<?> x : fs) {
                x.get();
            }
            f.flush();
            return (System.nanoTime() - t0) / 1e9;
        } finally {
            pool.shutdownNow();
        }
    }

    private static void report(String what, long bytes, double sec, double baseSec) {
        System.out.printf("    %-40s %6.2f s  %7.0f MiB/s  ratio to plain file %.2f%n", what, sec, bytes / MIB / sec, baseSec / sec);
    }

    // ---------------------------------------------------------------- helpers

    private static boolean sameContents(Path a, Path b) throws IOException {
        try (FileChannel x = FileChannel.open(a); FileChannel y = FileChannel.open(b)) {
            if (x.size() != y.size()) {
                return false;
            }
            ByteBuffer p = ByteBuffer.allocateDirect(8 * MIB);
            ByteBuffer q = ByteBuffer.allocateDirect(8 * MIB);
            for (long off = 0; off < x.size(); off += p.capacity()) {
                p.clear();
                q.clear();
                while (p.hasRemaining() && x.read(p, off + p.position()) > 0) {
                    // fill
                }
                while (q.hasRemaining() && y.read(q, off + q.position()) > 0) {
                    // fill
                }
                if (!p.flip().equals(q.flip())) {
                    return false;
                }
            }
            return true;
        }
    }

    private static String exec(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException(cmd + " failed: " + out);
        }
        return out;
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }
}
