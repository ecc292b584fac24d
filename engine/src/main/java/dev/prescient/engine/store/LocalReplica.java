package dev.prescient.engine.store;

import dev.prescient.engine.BlockTarget;
import dev.prescient.engine.NoSpaceException;
import dev.prescient.engine.OutOfRangeException;
import dev.prescient.engine.Zeroes;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One replica on a local tier: a sparse data file plus crash-safe metadata.
 *
 * <p>Java 17 has neither SEEK_DATA/SEEK_HOLE nor fallocate, so the replica keeps its own
 * allocation map (one bit per {@code allocChunk}): a bit is set before data is written to its
 * chunk, and a clear bit guarantees the chunk reads as zeroes. The map is a superset of the
 * chunks holding data; copies iterate it, so an empty 100 GiB replica copies nothing. The map is
 * persisted on flush/FUA, when it changed, so that every durable write is covered.
 *
 * <p>A clean close writes the clean marker, and the next open trusts the map. After an unclean
 * stop only a bounded part is scanned: a write-intent journal (as md's write-intent bitmap) marks
 * regions of {@link ReplicaMetadata#DEFAULT_REGION_CHUNKS} chunks open in the metadata before the
 * first write into them reaches the data file, and a flush closes the regions nobody wrote to
 * for a while ({@link #CLOSE_INTERVAL_NANOS}). The open regions' unmapped chunks are all that can
 * hold data the persisted map misses, so the scan after a crash grows with the regions written
 * just before it, not with the volume.
 *
 * <p>Unmap and write-zeroes write zeroes over chunks that are allocated and leave unallocated
 * chunks alone; they do not clear map bits on the hot path, because clearing races with a
 * concurrent write to the same chunk without a lock. {@link #compact()} clears the bits of
 * all-zero chunks when no I/O runs. Space is therefore not returned to the tier on TRIM: punching
 * holes needs fallocate(2), which Java 17 cannot call without native code.
 */
public final class LocalReplica implements BlockTarget {
    static final int ZERO_LEN = 1 << 20;
    /** A region written to stays open at least this long (fewer metadata writes for busy regions). */
    static final long CLOSE_INTERVAL_NANOS = 2_000_000_000L;
    private static final ByteBuffer ZEROES = ByteBuffer.allocateDirect(ZERO_LEN).asReadOnlyBuffer();

    private final Path dataFile;
    private final Path metaFile;
    private final String replicaId;
    private final String volumeId;
    private final long size;
    private final int allocChunk;
    private final FileChannel ch;
    private final AtomicBitmap alloc;
    private final AtomicLong mapVersion = new AtomicLong();
    private final Object metaLock = new Object();
    private final AtomicInteger refs = new AtomicInteger(1);
    private long persistedVersion;
    private long generation;
    private volatile boolean closed;
    /** Writes and zeroings under way: a clean close waits for them before it writes the marker. */
    private final AtomicInteger active = new AtomicInteger();

    // The write-intent journal. regionsOpen: open in the metadata written or being written (changed
    // under metaLock only); regionsDurable: open in the metadata on disk, so a write there needs no
    // metadata write; regionsTouched: written to since the last closing round.
    private final int regionChunks;
    private final AtomicBitmap regionsOpen;
    private final AtomicBitmap regionsDurable;
    private final AtomicBitmap regionsTouched;
    private volatile long lastClosing = System.nanoTime();
    private volatile long closeIntervalNanos = CLOSE_INTERVAL_NANOS;
    private long scannedChunks;
    private long scannedRegions;

    private LocalReplica(Path dataFile, Path metaFile, ReplicaMetadata meta, FileChannel ch, AtomicBitmap alloc) {
        this.dataFile = dataFile;
        this.metaFile = metaFile;
        this.replicaId = meta.replicaId();
        this.volumeId = meta.volumeId();
        this.size = meta.size();
        this.allocChunk = meta.allocChunk();
        this.generation = meta.generation();
        this.ch = ch;
        this.alloc = alloc;
        this.regionChunks = meta.regionChunks();
        long regions = meta.regions();
        this.regionsOpen = new AtomicBitmap(regions);
        this.regionsDurable = new AtomicBitmap(regions);
        this.regionsTouched = new AtomicBitmap(regions);
    }

    /** Creates a new, empty (all-hole) replica; fails if its files exist. */
    public static LocalReplica create(Path dir, String replicaId, String volumeId, long size, int allocChunk)
            throws IOException {
        if (size <= 0 || allocChunk <= 0 || Integer.bitCount(allocChunk) != 1) {
            throw new IllegalArgumentException("bad size " + size + " or allocation chunk " + allocChunk);
        }
        Path data = dir.resolve(replicaId + ".img");
        Path meta = dir.resolve(replicaId + ".meta");
        FileChannel ch = FileChannel.open(data, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            // Sparse: setting the length by writing one byte at the end would allocate a block;
            // truncate cannot grow, so write a zero at the end and rely on the FS keeping the rest a hole.
            ch.write(ByteBuffer.allocate(1), size - 1);
            ch.force(true);
            ReplicaMetadata.fsyncDirectory(dir);
            long chunks = (size + allocChunk - 1) / allocChunk;
            AtomicBitmap map = new AtomicBitmap(chunks);
            ReplicaMetadata m = new ReplicaMetadata(replicaId, volumeId, size, allocChunk, 1, false, map.toLongArray(),
                    ReplicaMetadata.DEFAULT_REGION_CHUNKS, new long[0]);
            m.writeTo(meta);
            return new LocalReplica(data, meta, m, ch, map);
        } catch (IOException | RuntimeException e) {
            ch.close();
            Files.deleteIfExists(data);
            Files.deleteIfExists(meta);
            throw mapNoSpace(e instanceof IOException io ? io : new IOException(e), "creating replica " + replicaId);
        }
    }

    /** Opens an existing replica; rebuilds the allocation map if it was not closed cleanly. */
    public static LocalReplica open(Path dir, String replicaId) throws IOException {
        Path data = dir.resolve(replicaId + ".img");
        Path meta = dir.resolve(replicaId + ".meta");
        ReplicaMetadata m = ReplicaMetadata.readFrom(meta);
        FileChannel ch = FileChannel.open(data, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            if (ch.size() < m.size()) {
                throw new EOFException("data file shorter than replica size: " + data);
            }
            AtomicBitmap map = AtomicBitmap.fromLongArray(m.chunks(), m.allocation());
            LocalReplica r = new LocalReplica(data, meta, m, ch, map);
            if (!m.clean()) {
                r.recoverAllocationMap(m.openRegions() == null ? null
                        : AtomicBitmap.fromLongArray(m.regions(), m.openRegions()));
            }
            r.writeMeta(false, false); // from now on a crash is detectable
            return r;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /**
     * Grows a replica that nobody holds open: the data file is extended as a hole and the
     * allocation map gains clear bits (new space reads as zeroes). The clean flag is kept, so a
     * replica left unclean by a crash is still scanned on its next open. Shrinking is refused.
     */
    public static void grow(Path dir, String replicaId, long newSize) throws IOException {
        Path data = dir.resolve(replicaId + ".img");
        Path meta = dir.resolve(replicaId + ".meta");
        ReplicaMetadata m = ReplicaMetadata.readFrom(meta);
        if (newSize < m.size()) {
            throw new IllegalArgumentException("cannot shrink replica " + replicaId + " from " + m.size() + " to "
                    + newSize);
        }
        if (newSize == m.size()) {
            return;
        }
        try (FileChannel ch = FileChannel.open(data, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            if (ch.size() < newSize) {
                ch.write(ByteBuffer.allocate(1), newSize - 1);
            }
            ch.force(true);
        } catch (IOException e) {
            throw mapNoSpace(e, "growing replica " + replicaId);
        }
        long chunks = (newSize + m.allocChunk() - 1) / m.allocChunk();
        AtomicBitmap grown = new AtomicBitmap(chunks);
        AtomicBitmap old = AtomicBitmap.fromLongArray(m.chunks(), m.allocation());
        for (long c = old.nextSetBit(0); c >= 0 && c < m.chunks(); c = old.nextSetBit(c + 1)) {
            grown.set(c);
        }
        long[] open = null;
        if (m.openRegions() != null) {
            long regions = (chunks + m.regionChunks() - 1) / m.regionChunks();
            open = AtomicBitmap.fromLongArray(regions, m.openRegions()).toLongArray(); // new regions: closed
        }
        // The data file is grown first: a crash between the two steps leaves the old size in the
        // metadata and a longer file, which open() accepts.
        new ReplicaMetadata(m.replicaId(), m.volumeId(), newSize, m.allocChunk(), m.generation() + 1, m.clean(),
                grown.toLongArray(), m.regionChunks(), open).writeTo(meta);
    }

    /** Scans the unmapped chunks of the open regions (all regions when {@code open} is null). */
    private void recoverAllocationMap(AtomicBitmap open) throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect(allocChunk);
        long regions = (alloc.size() + regionChunks - 1) / regionChunks;
        for (long g = 0; g < regions; g++) {
            if (open != null && !open.get(g)) {
                continue;
            }
            scannedRegions++;
            for (long c = g * regionChunks; c < Math.min(alloc.size(), (g + 1) * regionChunks); c++) {
                if (alloc.get(c)) {
                    continue;
                }
                scannedChunks++;
                buf.clear().limit((int) Math.min(allocChunk, size - c * allocChunk));
                readFully(c * allocChunk, buf);
                if (!Zeroes.isZero(buf.flip())) {
                    alloc.set(c);
                }
            }
        }
    }

    /** Tests close regions at every flush instead of waiting for the interval. */
    void closeIntervalNanos(long nanos) {
        closeIntervalNanos = nanos;
    }

    /** Regions open in the journal now (written or being written to the metadata). */
    long openRegionCount() {
        return regionsOpen.cardinality();
    }

    /** Chunks the last open read to rebuild the allocation map (0 after a clean stop). */
    public long recoveryScannedChunks() {
        return scannedChunks;
    }

    /** Journal regions the last open scanned (0 after a clean stop). */
    public long recoveryScannedRegions() {
        return scannedRegions;
    }

    public String replicaId() {
        return replicaId;
    }

    public String volumeId() {
        return volumeId;
    }

    public int allocChunk() {
        return allocChunk;
    }

    public long generation() {
        synchronized (metaLock) {
            return generation;
        }
    }

    public Path dataFile() {
        return dataFile;
    }

    /** Bytes covered by the allocation map (an upper bound of the data held). */
    public long allocatedBytes() {
        return Math.min(size, alloc.cardinality() * allocChunk);
    }

    @Override
    public long size() {
        return size;
    }

    private void checkRange(long offset, long length) throws IOException {
        if (closed) {
            throw new IOException("replica " + replicaId + " is closed");
        }
        if (offset < 0 || length < 0 || offset > size - length) {
            throw new OutOfRangeException(offset, length, size);
        }
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        checkRange(offset, dst.remaining());
        readFully(offset, dst);
    }

    private void readFully(long offset, ByteBuffer dst) throws IOException {
        long pos = offset;
        while (dst.hasRemaining()) {
            int n = ch.read(dst, pos);
            if (n < 0) {
                // Past the file's end means a hole at the tail (cannot happen after create).
                while (dst.hasRemaining()) {
                    dst.put((byte) 0);
                }
                return;
            }
            pos += n;
        }
    }

    @Override
    public void write(long offset, ByteBuffer src, boolean fua) throws IOException {
        int len = src.remaining();
        checkRange(offset, len);
        if (len == 0) {
            return;
        }
        enter();
        try {
            long c0 = offset / allocChunk;
            long c1 = (offset + len - 1) / allocChunk + 1;
            // Order matters (see writeMeta): map bits, then touched, then the durable-open check, then data.
            if (alloc.setRange(c0, c1)) {
                mapVersion.incrementAndGet();
            }
            long g0 = c0 / regionChunks;
            long g1 = (c1 - 1) / regionChunks + 1;
            regionsTouched.setRange(g0, g1);
            for (long g = g0; g < g1; g++) {
                if (!regionsDurable.get(g)) {
                    openRegions(g0, g1);
                    break;
                }
            }
            writeFully(offset, src);
        } finally {
            active.decrementAndGet();
        }
        if (fua) {
            flush();
        }
    }

    private void enter() throws IOException {
        active.incrementAndGet();
        if (closed) {
            active.decrementAndGet();
            throw new IOException("replica " + replicaId + " is closed");
        }
    }

    /** Makes regions [g0, g1) open on disk before data is written into them. */
    private void openRegions(long g0, long g1) throws IOException {
        synchronized (metaLock) {
            boolean all = true;
            for (long g = g0; g < g1 && all; g++) {
                all = regionsDurable.get(g);
            }
            if (!all) {
                regionsOpen.setRange(g0, g1);
                writeMeta(false, false);
            }
        }
    }

    private void writeFully(long offset, ByteBuffer src) throws IOException {
        long pos = offset;
        try {
            while (src.hasRemaining()) {
                pos += ch.write(src, pos);
            }
        } catch (IOException e) {
            throw mapNoSpace(e, "writing replica " + replicaId + " at " + offset);
        }
    }

    @Override
    public void unmap(long offset, long length) throws IOException {
        zeroAllocated(offset, length);
    }

    @Override
    public void writeZeroes(long offset, long length, boolean fua) throws IOException {
        zeroAllocated(offset, length);
        if (fua) {
            flush();
        }
    }

    /**
     * Writes zeroes over the allocated chunks of the range; holes already read as zeroes. No
     * journal entry is needed: zeroes in a chunk the persisted map misses read the same as a hole.
     */
    private void zeroAllocated(long offset, long length) throws IOException {
        checkRange(offset, length);
        enter();
        try {
            zeroAllocatedEntered(offset, length);
        } finally {
            active.decrementAndGet();
        }
    }

    private void zeroAllocatedEntered(long offset, long length) throws IOException {
        long end = offset + length;
        long pos = offset;
        while (pos < end) {
            long c = alloc.nextSetBit(pos / allocChunk);
            if (c < 0) {
                return;
            }
            long from = Math.max(pos, c * allocChunk);
            if (from >= end) {
                return;
            }
            long runEnd = Math.min(end, alloc.nextClearBit(c) * (long) allocChunk);
            for (long p = from; p < runEnd; ) {
                int n = (int) Math.min(ZERO_LEN, runEnd - p);
                ByteBuffer z = ZEROES.duplicate();
                z.limit(n);
                writeFully(p, z);
                p += n;
            }
            pos = runEnd;
        }
    }

    @Override
    public void flush() throws IOException {
        enter(); // counted, so that a clean close cannot be overwritten by a flush's unclean metadata
        try {
            try {
                ch.force(false);
            } catch (IOException e) {
                throw mapNoSpace(e, "flushing replica " + replicaId);
            }
            if (mapVersion.get() != persistedVersionVolatile()
                    || (System.nanoTime() - lastClosing >= closeIntervalNanos && regionsOpen.nextSetBit(0) >= 0)) {
                writeMeta(false, true);
            }
        } finally {
            active.decrementAndGet();
        }
    }

    private long persistedVersionVolatile() {
        synchronized (metaLock) {
            return persistedVersion;
        }
    }

    /**
     * Persists the allocation map and the journal. With {@code mayClose}, regions that nobody
     * wrote to since the last closing round (at least {@link #CLOSE_INTERVAL_NANOS} ago) are
     * closed. Why that is safe against a racing write, which sets its map bits, then its touched
     * bit, then checks durable-open, then writes data: if its map bits were set before the map is
     * copied below, they are persisted; otherwise its touched bit is set after the round's drain,
     * and either the re-check below sees it (the region stays open) or the write's durable-open
     * check comes after the region was marked not durable, and it opens the region again itself
     * (under metaLock, so after this write) before its data goes out.
     */
    private void writeMeta(boolean clean, boolean mayClose) throws IOException {
        synchronized (metaLock) {
            if (!Files.exists(dataFile)) {
                // Deleted while this process still held it open (an engine that keeps serving a switched
                // volume): metadata written now would bring back a replica without data.
                return;
            }
            AtomicBitmap closing = null;
            if (mayClose && !clean && System.nanoTime() - lastClosing >= closeIntervalNanos) {
                lastClosing = System.nanoTime();
                AtomicBitmap touched = regionsTouched.drain();
                closing = new AtomicBitmap(regionsOpen.size());
                for (long g = regionsOpen.nextSetBit(0); g >= 0; g = regionsOpen.nextSetBit(g + 1)) {
                    if (!touched.get(g)) {
                        regionsDurable.clear(g);
                        regionsOpen.clear(g);
                        closing.set(g);
                    }
                }
            }
            long v = mapVersion.get(); // read before the bits: a later change bumps it again
            long[] map = alloc.toLongArray();
            if (closing != null) {
                for (long g = closing.nextSetBit(0); g >= 0; g = closing.nextSetBit(g + 1)) {
                    if (regionsTouched.get(g)) {
                        regionsOpen.set(g);
                    }
                }
            }
            // A clean close runs after every write ended (close() waits for them): nothing is open.
            long[] open = clean ? new long[0] : regionsOpen.toLongArray();
            ReplicaMetadata m = new ReplicaMetadata(replicaId, volumeId, size, allocChunk, generation + 1, clean,
                    map, regionChunks, open);
            m.writeTo(metaFile);
            generation++;
            persistedVersion = v;
            regionsDurable.or(regionsOpen);
        }
    }

    @Override
    public long nextAllocated(long offset) {
        if (offset >= size) {
            return -1;
        }
        long c = alloc.nextSetBit(offset / allocChunk);
        return c < 0 ? -1 : Math.max(offset, c * allocChunk);
    }

    @Override
    public long nextHole(long offset) {
        if (offset >= size) {
            return size;
        }
        long c = alloc.nextClearBit(offset / allocChunk);
        return Math.min(size, Math.max(offset, c * allocChunk));
    }

    /**
     * Clears the allocation bits of chunks that read as all zeroes. Only safe while no writes
     * run (e.g. at open or close, or under the volume's I/O gate).
     */
    public long compact() throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect(allocChunk);
        long cleared = 0;
        for (long c = alloc.nextSetBit(0); c >= 0; c = alloc.nextSetBit(c + 1)) {
            buf.clear().limit((int) Math.min(allocChunk, size - c * allocChunk));
            readFully(c * allocChunk, buf);
            if (Zeroes.isZero(buf.flip())) {
                alloc.clear(c);
                cleared++;
            }
        }
        if (cleared > 0) {
            mapVersion.incrementAndGet();
        }
        return cleared;
    }

    void retain() {
        refs.incrementAndGet();
    }

    /** Closes when the last holder closes: data fsynced, metadata marked clean. */
    @Override
    public void close() throws IOException {
        if (refs.decrementAndGet() > 0 || closed) {
            return;
        }
        closeClean();
    }

    /**
     * Closes now, whoever else holds it (the store's shutdown: the process is ending and every
     * holder's I/O has stopped). Writes still running are waited for, up to 10 s, so that the
     * clean marker covers them; if they do not end, the replica is left unclean (scanned on open).
     */
    void closeClean() throws IOException {
        if (closed) {
            return;
        }
        closed = true; // new writes fail from here on; enter() re-checks after counting itself
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (active.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        try {
            ch.force(false);
            if (active.get() == 0) {
                writeMeta(true, false);
            }
        } finally {
            ch.close();
        }
    }

    /** Closes without the clean marker (simulates a crash in tests; used on fatal errors). */
    void abandon() throws IOException {
        closed = true;
        ch.close();
    }

    static IOException mapNoSpace(IOException e, String what) {
        if (e instanceof NoSpaceException) {
            return e;
        }
        String msg = String.valueOf(e.getMessage());
        if (msg.contains("No space left") || msg.contains("Disk quota exceeded")) {
            return new NoSpaceException(what + ": " + msg, e);
        }
        return e;
    }
}
