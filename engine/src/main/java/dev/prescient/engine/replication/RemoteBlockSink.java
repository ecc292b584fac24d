package dev.prescient.engine.replication;

import dev.prescient.engine.BlockSink;
import dev.prescient.engine.Zeroes;
import net.openhft.hashing.LongHashFunction;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Bulk catch-up of a remote replica. Blocks are gathered into batches of {@code batchBytes}; a
 * full batch is (optionally) offered as (index, xxh3) pairs so the target can answer which blocks
 * it lacks, then the lacking blocks travel as one CHUNK, compressed when that makes it smaller,
 * under a CRC32C the target checks before writing anything. Up to {@code window} batches are in
 * flight at once, so neither the dedup round trip nor the target's writes stall the sender. All-zero
 * blocks never travel as data: they are coalesced into WRITE_ZEROES ranges.
 *
 * <p>Used by one thread. Buffers are allocated once per sink (direct), nothing per block.
 */
public final class RemoteBlockSink implements BlockSink {
    private static final LongHashFunction XXH3 = LongHashFunction.xx3();

    private final ClientConnection conn;
    private final int blockSize;
    private final ReplicationSettings settings;
    private final long size;
    private final int batchBlocks;
    private final long startBytes;
    private final ArrayDeque<Batch> free = new ArrayDeque<>();
    private int batchesMade;
    private final ArrayDeque<Batch> inflight = new ArrayDeque<>();
    private final List<ClientConnection.Call> zeroCalls = new ArrayList<>();
    /** Heap copy of one block for hashing: the hash library cannot read direct buffers on Java 17 without --add-exports. */
    private final byte[] hashScratch;
    private Batch current;
    private long zeroStart = -1;
    private long zeroCount;
    private boolean failed;
    /** Bytes compressed as a probe before a whole chunk is: 1/16 of a 1 MiB chunk. */
    private static final int PROBE = 64 * 1024;

    // Figures for benchmarks and the replica set's progress reports.
    private long blocksPut;
    private long blocksDeduplicated;
    private long zeroBlocks;
    private long rawBytesSent;
    private long resends;
    private long flushNanos;
    private long probesSkipped;

    /** One batch of blocks and the buffers that carry it through OFFER and CHUNK. */
    private final class Batch {
        final ByteBuffer raw;
        final int[] lengths = new int[batchBlocks];
        final long[] indices = new long[batchBlocks];
        final ByteBuffer offer;
        final ByteBuffer bitmap;
        final ByteBuffer chunk;
        int count;
        int rawLen;
        ClientConnection.Call call;
        boolean offered;
        int retries;

        Batch() {
            raw = ByteBuffer.allocateDirect(batchBlocks * blockSize);
            offer = settings.dedup() ? ByteBuffer.allocateDirect(16 * batchBlocks) : null;
            bitmap = settings.dedup() ? ByteBuffer.allocateDirect((batchBlocks + 7) / 8) : null;
            int data = Math.max(batchBlocks * blockSize, settings.compression().maxCompressedLength(batchBlocks * blockSize));
            chunk = ByteBuffer.allocateDirect(4 + 8 * batchBlocks + data);
        }

        void reset() {
            count = 0;
            rawLen = 0;
            call = null;
            offered = false;
            retries = 0;
            raw.clear();
        }
    }

    RemoteBlockSink(ClientConnection conn, int blockSize, ReplicationSettings settings) throws IOException {
        if (blockSize < 512 || blockSize > 1024 * 1024 || Integer.bitCount(blockSize) != 1) {
            throw new IllegalArgumentException("block size must be a power of two in [512, 1 MiB]: " + blockSize);
        }
        this.conn = conn;
        this.blockSize = blockSize;
        this.settings = settings;
        this.size = conn.size();
        this.batchBlocks = Math.max(1, settings.batchBytes() / blockSize);
        this.startBytes = conn.bytesSent();
        this.hashScratch = new byte[blockSize];
    }

    @Override
    public int blockSize() {
        return blockSize;
    }

    @Override
    public void put(long index, ByteBuffer data) throws IOException {
        ensureUsable();
        long off = index * blockSize;
        int expected = (int) Math.min(blockSize, size - off);
        if (index < 0 || off >= size || data.remaining() != expected) {
            throw new IllegalArgumentException("block " + index + " with " + data.remaining()
                    + " bytes does not fit a replica of " + size + " bytes in blocks of " + blockSize);
        }
        blocksPut++;
        if (Zeroes.isZero(data)) {
            zeroBlocks++;
            if (zeroStart >= 0 && zeroStart + zeroCount == index) {
                zeroCount++;
            } else {
                flushZeroRun();
                zeroStart = index;
                zeroCount = 1;
            }
            return;
        }
        if (current == null) {
            current = takeFree();
        }
        Batch b = current;
        b.indices[b.count] = index;
        b.lengths[b.count] = expected;
        b.raw.put(b.count * blockSize, data, data.position(), expected);
        b.count++;
        if (b.count == batchBlocks) {
            current = null;
            dispatch(b);
        }
    }

    @Override
    public void putZeroes(long index, long count) throws IOException {
        ensureUsable();
        if (count <= 0) {
            return;
        }
        zeroBlocks += count;
        if (zeroStart >= 0 && zeroStart + zeroCount == index) {
            zeroCount += count;
        } else {
            flushZeroRun();
            zeroStart = index;
            zeroCount = count;
        }
    }

    @Override
    public void finish() throws IOException {
        finish(true);
    }

    /**
     * Waits until every batch and zero range is acknowledged by the target (written there, so
     * readable); with {@code durable} also sends FLUSH (the target's fsync). Catch-up rounds and
     * the paused round of a switchover finish without it: that fsync was inside the I/O pause.
     */
    @Override
    public void finish(boolean durable) throws IOException {
        ensureUsable();
        try {
            flushZeroRun();
            if (current != null && current.count > 0) {
                Batch b = current;
                current = null;
                dispatch(b);
            }
            while (!inflight.isEmpty()) {
                pump(true);
            }
            for (ClientConnection.Call z : zeroCalls) {
                conn.complete(conn.await(z), settings.maxRetries());
            }
            zeroCalls.clear();
            if (durable) {
                long t0 = System.nanoTime();
                conn.call(new ClientConnection.Call(Frame.FLUSH, 0, 0, 0, null, null));
                flushNanos = System.nanoTime() - t0;
            }
        } catch (IOException | RuntimeException e) {
            failed = true;
            throw e;
        }
    }

    @Override
    public long bytesTransferred() {
        return conn.bytesSent() - startBytes;
    }

    public long blocksPut() {
        return blocksPut;
    }

    /** Blocks not sent because the target already held identical contents. */
    public long blocksDeduplicated() {
        return blocksDeduplicated;
    }

    public long zeroBlocks() {
        return zeroBlocks;
    }

    /** Uncompressed bytes of the block data that had to travel. */
    public long rawBytesSent() {
        return rawBytesSent;
    }

    /** Time the final FLUSH of {@link #finish()} took (the target's fsync). */
    public long flushNanos() {
        return flushNanos;
    }

    /** Requests sent again after a checksum NACK. */
    public long resends() {
        return resends;
    }

    private void ensureUsable() throws IOException {
        if (failed) {
            throw new ReplicationException(ReplicationException.Reason.CONNECTION_LOST,
                    "sink failed earlier; reconnect and start a new sync");
        }
    }

    private Batch takeFree() throws IOException {
        // Batches (a few MiB of direct buffers each) are made when first needed, up to the window:
        // a sink that carries a handful of blocks, like the paused last round of a switchover,
        // allocates one, not the window's worth (which could even run a GC for direct memory).
        if (free.isEmpty() && batchesMade < settings.window()) {
            batchesMade++;
            free.add(new Batch());
        }
        while (free.isEmpty()) {
            pump(true);
        }
        Batch b = free.poll();
        b.reset();
        return b;
    }

    private void dispatch(Batch b) throws IOException {
        try {
            if (settings.dedup()) {
                ByteBuffer o = b.offer.clear().order(ByteOrder.BIG_ENDIAN);
                for (int i = 0; i < b.count; i++) {
                    b.raw.get(i * blockSize, hashScratch, 0, b.lengths[i]);
                    o.putLong(b.indices[i]).putLong(XXH3.hashBytes(hashScratch, 0, b.lengths[i]));
                }
                o.flip();
                b.offered = true;
                b.call = conn.send(new ClientConnection.Call(Frame.OFFER, 0, blockSize, 0, o,
                        b.bitmap.clear().limit((b.count + 7) / 8)));
            } else {
                sendChunk(b, null);
            }
            inflight.add(b);
            pump(false);
        } catch (IOException | RuntimeException e) {
            failed = true;
            throw e;
        }
    }

    /** Moves finished batches on; with {@code block}, waits for the oldest one to move at least once. */
    private void pump(boolean block) throws IOException {
        boolean progressed = false;
        Iterator<Batch> it = inflight.iterator();
        while (it.hasNext()) {
            Batch b = it.next();
            if (b.call.isDone() && advance(b)) {
                it.remove();
                free.add(b);
                progressed = true;
            }
        }
        if (block && !progressed && !inflight.isEmpty()) {
            Batch b = inflight.peek();
            conn.await(b.call);
            if (advance(b)) {
                inflight.remove(b);
                free.add(b);
            }
        }
        zeroCalls.removeIf(z -> z.isDone() && z.status == Frame.OK);
    }

    /** Acts on the answer of a batch's current request; true when the batch is complete. */
    private boolean advance(Batch b) throws IOException {
        ClientConnection.Call c = conn.await(b.call);
        if (c.status == Frame.ERR_CHECKSUM && b.retries < settings.maxRetries()) {
            // The target refused a damaged copy (or we got a damaged answer): send it again.
            b.retries++;
            resends++;
            b.call = conn.send(c.copy());
            return false;
        }
        conn.check(c);
        if (b.offered) {
            b.offered = false;
            b.retries = 0;
            ByteBuffer bitmap = b.bitmap;
            int needed = 0;
            for (int i = 0; i < b.count; i++) {
                if ((bitmap.get(i >>> 3) & (1 << (i & 7))) != 0) {
                    needed++;
                }
            }
            blocksDeduplicated += b.count - needed;
            if (needed == 0) {
                return true;
            }
            sendChunk(b, bitmap);
            return false;
        }
        return true;
    }

    /** Packs the needed blocks of b (all when {@code need} is null) and sends them as one CHUNK. */
    private void sendChunk(Batch b, ByteBuffer need) throws IOException {
        ByteBuffer chunk = b.chunk.clear().order(ByteOrder.BIG_ENDIAN);
        chunk.putInt(0);
        int n = 0;
        int rawLen = 0;
        for (int i = 0; i < b.count; i++) {
            if (need != null && (need.get(i >>> 3) & (1 << (i & 7))) == 0) {
                continue;
            }
            chunk.putLong(b.indices[i]);
            if (rawLen != i * blockSize) {
                // Compact in place: the target lies before the source, never overlapping a later block.
                b.raw.put(rawLen, b.raw, i * blockSize, b.lengths[i]);
            }
            rawLen += b.lengths[i];
            n++;
        }
        chunk.putInt(0, n);
        int dataOff = chunk.position();
        Compression codec = settings.compression();
        int clen = -1;
        if (codec != Compression.NONE && worthCompressing(codec, b.raw, rawLen, chunk, dataOff)) {
            clen = codec.compress(b.raw, 0, rawLen, chunk, dataOff);
        }
        if (clen < 0) {
            codec = Compression.NONE;
            chunk.put(dataOff, b.raw, 0, rawLen);
            clen = rawLen;
        }
        chunk.position(0).limit(dataOff + clen);
        rawBytesSent += rawLen;
        b.rawLen = rawLen;
        b.call = conn.send(new ClientConnection.Call(Frame.CHUNK, codec.id(), blockSize, rawLen, chunk, null));
    }

    /**
     * Incompressible data (random, encrypted, already compressed) only burns CPU: a large chunk is
     * compressed only if one of two 64 KiB probes (at a quarter and three quarters of it, since a
     * chunk often spans several files) shrinks by 10%. The probes' output lands where the real
     * output will go, so they need no buffer of their own.
     */
    private boolean worthCompressing(Compression codec, ByteBuffer raw, int rawLen, ByteBuffer out, int outOff) {
        if (rawLen < 4 * PROBE) {
            return true;
        }
        for (int quarter = 1; quarter <= 3; quarter += 2) {
            int at = quarter * (rawLen / 4) - PROBE / 2;
            int n = codec.compress(raw, at, PROBE, out, outOff);
            if (n >= 0 && n <= PROBE - PROBE / 10) {
                return true;
            }
        }
        probesSkipped++;
        return false;
    }

    /** Chunks sent uncompressed because their probe showed the data does not compress. */
    public long chunksNotCompressed() {
        return probesSkipped;
    }

    private void flushZeroRun() throws IOException {
        if (zeroStart < 0) {
            return;
        }
        long off = zeroStart * blockSize;
        long len = Math.min(zeroCount * blockSize, size - off);
        zeroStart = -1;
        zeroCount = 0;
        zeroCalls.add(conn.send(new ClientConnection.Call(Frame.WRITE_ZEROES, 0, off, len, null, null)));
    }

    @Override
    public void close() {
        // Buffers are released with the sink; the connection belongs to the replica.
        inflight.clear();
        free.clear();
    }
}
