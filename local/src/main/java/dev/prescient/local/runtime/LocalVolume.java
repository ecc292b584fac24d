package dev.prescient.local.runtime;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;

/**
 * A volume as its consumer sees it: a replica set written in Sync mode (a write is acknowledged when every healthy
 * replica has it), reads from the primary, a reference checksum per block of every acknowledged write, decayed
 * heat per extent, and dirty tracking for replicas being filled. The I/O lock is what a switchover pauses.
 */
public final class LocalVolume {
    public final String name;
    public final String volumeId;
    public final long sizeBytes;
    public final int blockSize;
    public final int extentSize;
    final ReentrantLock io = new ReentrantLock(true);
    final List<Replica> replicas = new CopyOnWriteArrayList<>();
    /** CRC32C of the last acknowledged content per block; 0 with written=false means "never written" (zeros). */
    private final long[] reference;
    private final BitSet written;
    private BitSet dirty;
    private final double[] heat;
    private final double decay;
    private long reads;
    private long writes;
    private long readMismatches;
    volatile String reader;
    private volatile double readLatencyMicros;

    public LocalVolume(String name, String volumeId, long sizeBytes, int blockSize, int extentSize, int halfLifeTicks) {
        this.name = name;
        this.volumeId = volumeId;
        this.sizeBytes = sizeBytes;
        this.blockSize = blockSize;
        this.extentSize = extentSize;
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

    public void addReplica(Replica r) {
        replicas.add(r);
    }

    public List<Replica> replicas() {
        return List.copyOf(replicas);
    }

    public Replica primary() {
        return replicas.stream().filter(r -> r.primary).findFirst().orElseThrow(
                () -> new IllegalStateException("volume " + name + " has no primary"));
    }

    /** Writes to every healthy replica; the reference changes only once all of them acknowledged. */
    public void write(int block, byte[] data) throws IOException {
        io.lock();
        try {
            for (Replica r : replicas) {
                if (r.state == Replica.State.Healthy) {
                    r.conn().write((long) block * blockSize, data, true);
                }
            }
            reference[block] = crc(data);
            written.set(block);
            if (dirty != null) {
                dirty.set(block);
            }
            writes++;
            heat[block / blocksPerExtent()] += 1;
        } finally {
            io.unlock();
        }
    }

    /** Reads from the primary and checks the bytes against the reference of acknowledged writes. */
    public boolean read(int block) throws IOException {
        io.lock();
        try {
            byte[] buf = new byte[blockSize];
            long t0 = System.nanoTime();
            primary().conn().read((long) block * blockSize, buf);
            double us = (System.nanoTime() - t0) / 1e3;
            // Moving average over about 20 reads: what the consumer feels from the primary's tier.
            readLatencyMicros = readLatencyMicros == 0 ? us : readLatencyMicros * 0.95 + us * 0.05;
            reads++;
            heat[block / blocksPerExtent()] += 1;
            boolean ok = matches(block, buf);
            if (!ok) {
                readMismatches++;
            }
            return ok;
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

    /** Verifies every block of one replica against the reference; returns the blocks that differ. */
    public List<Integer> verify(Replica r) throws IOException {
        List<Integer> bad = new ArrayList<>();
        io.lock();
        try {
            byte[] buf = new byte[blockSize];
            for (int b = 0; b < blocks(); b++) {
                r.conn().read((long) b * blockSize, buf);
                if (!matches(b, buf)) {
                    bad.add(b);
                }
            }
        } finally {
            io.unlock();
        }
        return bad;
    }

    /** Decays heat once per tick; returns a copy of the per-extent heat after decay. */
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

    /** Starts recording blocks written from now on (call before a replica copy starts). */
    void startDirtyTracking() {
        io.lock();
        try {
            dirty = new BitSet(blocks());
        } finally {
            io.unlock();
        }
    }

    /** Takes the blocks written since the last call; caller holds the I/O lock. */
    BitSet takeDirtyLocked() {
        BitSet d = dirty == null ? new BitSet() : dirty;
        dirty = new BitSet(blocks());
        return d;
    }

    /** Puts blocks back into the dirty set (a round that stopped early); caller holds the I/O lock. */
    void dirtyMergeLocked(BitSet blocks) {
        if (dirty != null) {
            dirty.or(blocks);
        }
    }

    void stopDirtyTrackingLocked() {
        dirty = null;
    }

    public long reads() {
        return reads;
    }

    public long writes() {
        return writes;
    }

    public double readLatencyMicros() {
        return readLatencyMicros;
    }

    public long readMismatches() {
        return readMismatches;
    }

    public String reader() {
        return reader;
    }

    public void closeConnections() {
        io.lock();
        try {
            replicas.forEach(Replica::disconnect);
        } finally {
            io.unlock();
        }
    }
}
