package dev.prescient.engine.heat;

import dev.prescient.engine.io.AtomicFiles;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * A {@link HeatSnapshot} as a small file, so a supervisor (the node agent) reads an engine
 * process's heat without a control channel. Only hot extents are stored. Written to a temporary
 * file and renamed, so a reader sees the previous or the next snapshot whole; a CRC32C at the end
 * rejects anything else. Not fsynced: heat is advisory and a lost snapshot is replaced soon.
 * Latency buckets and error counts (cumulative since the engine started) follow the consumers, so the node
 * agent can report latency percentiles and error rates per interval by differencing two snapshots; a file
 * written before they were added (version 1) reads with none.
 */
public final class HeatSnapshotFile {
    private static final int MAGIC_V1 = 0x50484531; // "PHE1": consumers as (ops, bytes), no latency or errors
    private static final int MAGIC = 0x50484532; // "PHE2": consumers as (reads, writes, bytes), then both

    private HeatSnapshotFile() {
    }

    public static void write(HeatSnapshot s, Path file) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + s.extents().length * 12);
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(MAGIC);
        out.writeLong(s.takenAtMillis());
        out.writeInt(s.extentSize());
        out.writeDouble(s.halfLifeSeconds());
        out.writeInt(s.extents().length);
        for (int i = 0; i < s.extents().length; i++) {
            out.writeInt(s.extents()[i]);
            out.writeFloat(s.readHeat()[i]);
            out.writeFloat(s.writeHeat()[i]);
        }
        out.writeInt(s.consumers().size());
        for (var e : s.consumers().entrySet()) {
            out.writeUTF(e.getKey());
            out.writeDouble(e.getValue().reads());
            out.writeDouble(e.getValue().writes());
            out.writeDouble(e.getValue().bytes());
        }
        out.writeInt(s.latencyBuckets().length);
        for (long[] op : s.latencyBuckets()) {
            out.writeInt(op.length);
            for (long v : op) {
                out.writeLong(v);
            }
        }
        out.writeInt(s.errors().size());
        for (var e : s.errors().entrySet()) {
            out.writeInt(e.getKey());
            out.writeLong(e.getValue());
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes.toByteArray());
        out.writeInt((int) crc.getValue());
        AtomicFiles.write(file, bytes.toByteArray());
    }

    /** Reads a snapshot written by {@link #write}; throws on a torn or foreign file. */
    public static HeatSnapshot read(Path file) throws IOException {
        byte[] b = Files.readAllBytes(file);
        if (b.length < 8) {
            throw new IOException("heat file too short: " + file);
        }
        CRC32C crc = new CRC32C();
        crc.update(b, 0, b.length - 4);
        int stored = ((b[b.length - 4] & 0xff) << 24) | ((b[b.length - 3] & 0xff) << 16)
                | ((b[b.length - 2] & 0xff) << 8) | (b[b.length - 1] & 0xff);
        if ((int) crc.getValue() != stored) {
            throw new IOException("heat file checksum mismatch: " + file);
        }
        DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(b, 0, b.length - 4));
        int magic = in.readInt();
        if (magic != MAGIC && magic != MAGIC_V1) {
            throw new IOException("not a heat file: " + file);
        }
        boolean v1 = magic == MAGIC_V1; // from an engine started before an upgrade
        long taken = in.readLong();
        int extentSize = in.readInt();
        double halfLife = in.readDouble();
        int n = in.readInt();
        int[] idx = new int[n];
        float[] r = new float[n];
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            idx[i] = in.readInt();
            r[i] = in.readFloat();
            w[i] = in.readFloat();
        }
        int c = in.readInt();
        Map<String, HeatSnapshot.ConsumerHeat> consumers = new HashMap<>();
        for (int i = 0; i < c; i++) {
            String name = in.readUTF();
            // A version-1 file does not split reads from writes: its operations count as reads.
            consumers.put(name, v1 ? new HeatSnapshot.ConsumerHeat(in.readDouble(), 0, in.readDouble())
                    : new HeatSnapshot.ConsumerHeat(in.readDouble(), in.readDouble(), in.readDouble()));
        }
        long[][] latency = new long[0][];
        Map<Integer, Long> errors = new HashMap<>();
        if (!v1) {
            latency = new long[in.readInt()][];
            for (int op = 0; op < latency.length; op++) {
                latency[op] = new long[in.readInt()];
                for (int i = 0; i < latency[op].length; i++) {
                    latency[op][i] = in.readLong();
                }
            }
            int e = in.readInt();
            for (int i = 0; i < e; i++) {
                errors.put(in.readInt(), in.readLong());
            }
        }
        return new HeatSnapshot(taken, extentSize, halfLife, idx, r, w, consumers, latency, errors);
    }
}
