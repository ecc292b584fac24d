package dev.prescient.local.runtime;

import dev.prescient.engine.nbd.NbdClient;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;

/**
 * One volume as its workload sees it: a single NBD connection to the volume's front-end (the engine export
 * ControllerPublishVolume handed out), and the checksum of every acknowledged write. Replication, tier changes and
 * switch-overs happen below the front-end, decided by the operator; the workload never learns of them except
 * through latency - and through a read that does not match what it wrote, which is counted as a lost write.
 *
 * <p>The connection names the node the workload plays (export {@code <name>@node:<reader>}), so the engine counts
 * its heat for that node: when the scenario moves the reader, the connection is replaced by one that names the new
 * node, as a pod rescheduled elsewhere would attach the volume there.
 */
public final class LocalVolume {
    public final String name;
    public final String volumeId;
    public final long sizeBytes;
    public final int blockSize;
    public final int extentSize;
    public final String frontEndUri;
    private final ReentrantLock io = new ReentrantLock(true);
    /** CRC32C of the last acknowledged content per block; unwritten blocks read as zeroes. */
    private final long[] reference;
    private final BitSet written;
    private final double[] heat;
    private final double decay;
    private NbdClient conn;
    private volatile String reader;
    private volatile List<Replica> replicas = List.of();
    private long reads;
    private long writes;
    private long readMismatches;
    private long ioErrors;
    private volatile double readLatencyMicros;
    private volatile double lastReadMicros;
    /** Where the reads are served from now (scenario runner's ReadSource): node and tier. */
    private volatile String servingNode;
    private volatile String servingTier;

    public LocalVolume(String name, String volumeId, long sizeBytes, int blockSize, int extentSize, int halfLifeTicks,
            String frontEndUri, String reader) {
        this.name = name;
        this.volumeId = volumeId;
        this.sizeBytes = sizeBytes;
        this.blockSize = blockSize;
        this.extentSize = extentSize;
        this.frontEndUri = frontEndUri;
        this.reader = reader;
        int blocks = (int) (sizeBytes / blockSize);
        this.reference = new long[blocks];
        this.written = new BitSet(blocks);
        this.heat = new double[(int) (sizeBytes / extentSize)];
        this.decay = Math.pow(0.5, 1.0 / halfLifeTicks);
    }

    public int blocks() {
        return reference.length;
    }

    public int extents() {
        return heat.length;
    }

    public int blocksPerExtent() {
        return extentSize / blockSize;
    }

    static long crc(byte[] b) {
        CRC32C c = new CRC32C();
        c.update(b);
        return c.getValue();
    }

    /** The URI of the front-end with the attaching node named in the export (see the engine's NbdServer). */
    static String attachedBy(String uri, String node) {
        int scheme = uri.indexOf("://");
        int slash = uri.indexOf('/', scheme + 3);
        return slash < 0 ? uri + "/@node:" + node : uri + "@node:" + node;
    }

    private NbdClient conn() throws IOException {
        if (conn == null) {
            conn = NbdClient.open(attachedBy(frontEndUri, reader));
        }
        return conn;
    }

    /** The workload now runs on {@code node}: attach from there (flush and close the old attachment first). */
    public void moveReader(String node) throws IOException {
        io.lock();
        try {
            if (node.equals(reader)) {
                return;
            }
            closeLocked();
            reader = node;
        } finally {
            io.unlock();
        }
    }

    /** Writes with FUA through the front-end; the reference changes only once the write is acknowledged. */
    public void write(int block, byte[] data) throws IOException {
        io.lock();
        try {
            conn().write((long) block * blockSize, data, true);
            reference[block] = crc(data);
            written.set(block);
            writes++;
            heat[block / blocksPerExtent()] += 1;
        } catch (IOException e) {
            ioErrors++;
            closeLocked();
            throw e;
        } finally {
            io.unlock();
        }
    }

    /** Reads through the front-end and checks the bytes against the acknowledged writes. */
    public boolean read(int block) throws IOException {
        io.lock();
        try {
            byte[] buf = new byte[blockSize];
            long t0 = System.nanoTime();
            conn().read((long) block * blockSize, buf);
            double us = (System.nanoTime() - t0) / 1e3;
            lastReadMicros = us;
            // Moving average over about 20 reads: what the consumer feels from the tier serving it.
            readLatencyMicros = readLatencyMicros == 0 ? us : readLatencyMicros * 0.95 + us * 0.05;
            reads++;
            heat[block / blocksPerExtent()] += 1;
            boolean ok = matches(block, buf);
            if (!ok) {
                readMismatches++;
            }
            return ok;
        } catch (IOException e) {
            ioErrors++;
            closeLocked();
            throw e;
        } finally {
            io.unlock();
        }
    }

    boolean matches(int block, byte[] buf) {
        if (!written.get(block)) {
            for (byte b : buf) {
                if (b != 0) {
                    return false;
                }
            }
            return true;
        }
        return crc(buf) == reference[block];
    }

    /**
     * Reads every block of the export at {@code uri} (a replica's own engine export, or the front-end) and returns
     * the blocks that differ from the acknowledged writes. Holds the workload's lock: nothing is written meanwhile.
     */
    public List<Integer> verify(String uri) throws IOException {
        List<Integer> bad = new ArrayList<>();
        io.lock();
        try (NbdClient c = NbdClient.open(uri)) {
            byte[] buf = new byte[blockSize];
            for (int b = 0; b < blocks(); b++) {
                c.read((long) b * blockSize, buf);
                if (!matches(b, buf)) {
                    bad.add(b);
                }
            }
        } finally {
            io.unlock();
        }
        return bad;
    }

    /** Decays heat once per tick; returns a copy of the per-extent heat before decay. */
    public double[] tickHeat() {
        io.lock();
        try {
            double[] snapshot = Arrays.copyOf(heat, heat.length);
            for (int i = 0; i < heat.length; i++) {
                heat[i] *= decay;
            }
            return snapshot;
        } finally {
            io.unlock();
        }
    }

    /** The replicas the node agents report for this volume (refreshed by the scenario runner). */
    public List<Replica> replicas() {
        return replicas;
    }

    void replicas(List<Replica> now) {
        replicas = List.copyOf(now);
    }

    public long reads() {
        return reads;
    }

    public long writes() {
        return writes;
    }

    public long ioErrors() {
        return ioErrors;
    }

    public double readLatencyMicros() {
        return readLatencyMicros;
    }

    /** Latency of the last read, microseconds. */
    public double lastReadMicros() {
        return lastReadMicros;
    }

    public String servingNode() {
        return servingNode;
    }

    public String servingTier() {
        return servingTier;
    }

    public void serving(String node, String tier) {
        servingNode = node;
        servingTier = tier;
    }

    public long readMismatches() {
        return readMismatches;
    }

    public String reader() {
        return reader;
    }

    private void closeLocked() {
        if (conn != null) {
            try {
                conn.flushChecked();
                conn.close();
            } catch (IOException ignored) {
                // a broken connection has nothing left to flush; the next I/O opens a new one
            }
            conn = null;
        }
    }

    public void closeConnections() {
        io.lock();
        try {
            closeLocked();
        } finally {
            io.unlock();
        }
    }
}
