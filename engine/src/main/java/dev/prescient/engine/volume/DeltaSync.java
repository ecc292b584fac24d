package dev.prescient.engine.volume;

import dev.prescient.engine.BlockSink;
import dev.prescient.engine.Zeroes;
import dev.prescient.engine.store.AtomicBitmap;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import net.openhft.hashing.LongHashFunction;

/**
 * Catch-up of one replica by its dirty bitmap: copies only dirty blocks, from the set's read
 * source, through the target's {@link BlockSink} (direct for a local file, compressed and
 * deduplicated for a remote one). Zero blocks go as zero ranges, never as data.
 */
public final class DeltaSync {
    private static final int RUN_BLOCKS_MAX_BYTES = 1 << 20;
    private static final LongHashFunction XXH3 = LongHashFunction.xx3();

    /** Rounds a catch-up may add below its final threshold while they still converge. */
    static final int EXTRA_ROUNDS = 4;

    /**
     * Rounds with I/O flowing a catch-up tries, once the rounds above are done, to reach a round
     * that leaves nothing dirty, so it can promote without a pause; after these it pauses.
     */
    static final int PAUSE_FREE_ROUNDS = 6;

    private final ReplicaSet set;
    private final Pacer pacer;
    // Allocated once per instance and reused by every round, so that the paused round allocates
    // nothing (a direct allocation can even run a GC). An instance serves one catch-up at a time.
    private ByteBuffer copyBuf;
    private byte[] hashBuf;
    private ByteBuffer verifyBuf;

    public DeltaSync(ReplicaSet set) {
        this(set, Pacer.NONE);
    }

    /** @param pacer told after each run of blocks copied while I/O flows (never while paused) */
    public DeltaSync(ReplicaSet set, Pacer pacer) {
        this.set = set;
        this.pacer = pacer;
    }

    /**
     * Throttling, progress and cancellation of a catch-up: called after each run of blocks of a
     * round that runs with I/O flowing. It may sleep (a bandwidth cap) or throw (cancelled); a
     * throw leaves the replica's dirty bits set, so nothing is lost.
     */
    public interface Pacer {
        Pacer NONE = (blocks, bytes) -> { };

        void copied(long blocks, long bytesSent) throws IOException;
    }

    /** What a catch-up did; phases splits the pause (pauseNanos) into its parts. */
    public record Result(int rounds, long blocksCopied, long bytesSent, long finalBlocks, long pauseNanos,
                         PausePhases phases) {
    }

    /**
     * Copies the blocks in {@code blocks} to {@code m}; returns bytes sent by the sink. Must run
     * either under the gate (entered) or with it paused, because it reads through the set.
     */
    long copy(AtomicBitmap blocks, Member m) throws IOException {
        return copy(blocks, m, false, Pacer.NONE, null);
    }

    /** As {@link #copy(AtomicBitmap, Member)}; {@code durable} also fsyncs the target. */
    long copy(AtomicBitmap blocks, Member m, boolean durable) throws IOException {
        return copy(blocks, m, durable, Pacer.NONE, null);
    }

    /**
     * The copy of the paused round: as {@link #copy(AtomicBitmap, Member)}, and it keeps a hash of
     * each run as read from the source, for {@link #verify(Copied, Member)}. With I/O paused the
     * source cannot change between the copy and the check, so the check need not read it again.
     */
    Copied copyPaused(AtomicBitmap blocks, Member m) throws IOException {
        Copied c = new Copied(blocks);
        c.bytesSent = copy(blocks, m, false, Pacer.NONE, c);
        return c;
    }

    /** What the paused round copied: per run of blocks, its offset, length and source hash. */
    static final class Copied {
        final AtomicBitmap blocks;
        long bytesSent;
        private long[] runs = new long[3 * 16];
        private int n;

        Copied(AtomicBitmap blocks) {
            this.blocks = blocks;
        }

        void add(long off, int len, long hash) {
            if (n + 3 > runs.length) {
                runs = java.util.Arrays.copyOf(runs, runs.length * 2);
            }
            runs[n++] = off;
            runs[n++] = len;
            runs[n++] = hash;
        }
    }

    /** Allocates the buffers of the paused round ahead of it, so that the pause allocates nothing. */
    void prepareBuffers() {
        copyBuffer();
        hashBuffer();
        verifyBuffer();
    }

    private ByteBuffer copyBuffer() {
        if (copyBuf == null) {
            int bs = set.blockSize();
            copyBuf = ByteBuffer.allocateDirect(Math.max(1, RUN_BLOCKS_MAX_BYTES / bs) * bs);
        }
        return copyBuf;
    }

    private byte[] hashBuffer() {
        if (hashBuf == null) {
            hashBuf = new byte[copyBuffer().capacity()];
        }
        return hashBuf;
    }

    private long copy(AtomicBitmap blocks, Member m, boolean durable, Pacer runPacer, Copied hashes)
            throws IOException {
        int bs = set.blockSize();
        ByteBuffer buf = copyBuffer();
        int runMax = buf.capacity() / bs;
        byte[] heap = hashes == null ? null : hashBuffer();
        m.copyCursor = 0;
        m.copying = blocks; // published before any read of this round (see ReplicaSet)
        try (BlockSink sink = m.target.openSink(bs)) {
            long b = blocks.nextSetBit(0);
            while (b >= 0) {
                long end = Math.min(blocks.nextClearBit(b), b + runMax);
                long off = b * bs;
                int len = (int) Math.min((end - b) * bs, set.size() - off);
                buf.clear().limit(len);
                m.copyCursor = end; // before the read: writes below it may race the read
                set.readUngated(off, buf);
                if (hashes != null) {
                    // zero-allocation-hashing cannot read direct buffers on Java 17 (see verify)
                    buf.get(0, heap, 0, len);
                    hashes.add(off, len, XXH3.hashBytes(heap, 0, len));
                }
                long zeroFrom = -1;
                for (long i = b; i < end; i++) {
                    int p = (int) ((i - b) * bs);
                    int n = Math.min(bs, len - p);
                    ByteBuffer blk = buf.duplicate();
                    blk.position(p).limit(p + n);
                    if (Zeroes.isZero(blk)) {
                        zeroFrom = zeroFrom < 0 ? i : zeroFrom;
                        continue;
                    }
                    if (zeroFrom >= 0) {
                        sink.putZeroes(zeroFrom, i - zeroFrom);
                        zeroFrom = -1;
                    }
                    sink.put(i, blk);
                }
                if (zeroFrom >= 0) {
                    sink.putZeroes(zeroFrom, end - zeroFrom);
                }
                runPacer.copied(end - b, sink.bytesTransferred());
                b = blocks.nextSetBit(end);
            }
            sink.finish(durable);
            // Writes that raced this round must finish their dirty check against it first.
            set.quiesce();
            return sink.bytesTransferred();
        } finally {
            m.copying = null;
        }
    }

    /**
     * Whether a catch-up should run another round with I/O flowing before it pauses. Above
     * {@code finalThreshold} dirty blocks: while rounds remain. At or below it, rounds are small and
     * cheap and every block left now is copied with I/O paused, so it keeps going, up to
     * {@link #EXTRA_ROUNDS} more, while each round at least halves what is left: under random
     * writes the last rounds usually leave nothing, and the pause copies nothing.
     *
     * @param lastBatch blocks the previous round copied (Long.MAX_VALUE before the first)
     */
    static boolean anotherRound(long dirty, long lastBatch, int rounds, int maxRounds, long finalThreshold) {
        if (dirty == 0) {
            return false;
        }
        if (dirty > finalThreshold) {
            return rounds < maxRounds;
        }
        return rounds < maxRounds + EXTRA_ROUNDS && dirty <= lastBatch / 2;
    }

    /**
     * Brings a WO or ERR replica to RW: rounds of copying its dirty blocks while I/O runs, until
     * at most {@code finalThreshold} remain (or {@code maxRounds}), then a last round with I/O
     * paused, a hash check of the blocks copied in it, promotion to RW, and a flush of the
     * replica after I/O resumed (so the pause holds no fsync). On failure the
     * replica keeps its dirty bits (nothing is lost) and stays out of the read path.
     */
    public Result catchUp(String memberId, int maxRounds, long finalThreshold) throws IOException {
        Member m = set.member(memberId);
        if (m == null) {
            throw new IllegalArgumentException("no replica " + memberId);
        }
        if (m.mode == ReplicaMode.ERR) {
            m.mode = ReplicaMode.WO; // writes now only mark it dirty while it catches up
        }
        long copied = 0;
        long sent = 0;
        int rounds = 0;
        long lastBatch = Long.MAX_VALUE;
        while (anotherRound(m.dirty.cardinality(), lastBatch, rounds, maxRounds, finalThreshold)) {
            AtomicBitmap batch = m.dirty.drain();
            rounds++;
            try {
                long sentBefore = sent;
                Pacer roundPacer = (blocks, bytes) -> pacer.copied(blocks, sentBefore + bytes);
                set.gate().enter();
                try {
                    sent += copy(batch, m, false, roundPacer, null);
                } finally {
                    set.gate().exit();
                }
            } catch (IOException | RuntimeException e) {
                m.dirty.or(batch);
                throw e;
            }
            lastBatch = batch.cardinality();
            copied += lastBatch;
        }
        if (finishWithoutPause(java.util.List.of(m))) {
            flushAfterCatchUp(m);
            return new Result(rounds, copied, sent, 0, 0, PausePhases.NONE);
        }
        prepareBuffers();
        PausePhases.Clock clock = new PausePhases.Clock();
        AtomicBitmap last;
        try {
            set.gate().pause(10, TimeUnit.SECONDS);
        } catch (TimeoutException | InterruptedException e) {
            throw new IOException("could not pause I/O of volume " + set.volumeId(), e);
        }
        clock.lap(); // drain
        long pause;
        try {
            last = m.dirty.drain();
            try {
                Copied c = copyPaused(last, m);
                sent += c.bytesSent;
                clock.lap(); // final copy
                verify(c, m);
                clock.lap(); // verify
            } catch (IOException | RuntimeException e) {
                m.dirty.or(last);
                throw e;
            }
            m.mode = ReplicaMode.RW;
            clock.lap(); // promote
        } finally {
            set.gate().resume();
            clock.lap(); // resume
            pause = System.nanoTime() - clock.start();
        }
        flushAfterCatchUp(m);
        return new Result(rounds + 1, copied + last.cardinality(), sent, last.cardinality(), pause, clock.phases());
    }

    // Rounds were applied but not fsynced (keeps the pause short); make them durable now.
    private void flushAfterCatchUp(Member m) throws IOException {
        try {
            m.target.flush();
        } catch (IOException e) {
            m.dirty.setRange(0, set.blocks()); // unknown what reached the disk: copy it all again
            set.fail(m.id, "flush after catch-up failed: " + e.getMessage());
            throw e;
        }
    }

    /**
     * Finishes a catch-up of {@code ms} (WO replicas that took every write since they were added)
     * with I/O flowing: up to {@link #PAUSE_FREE_ROUNDS} more rounds, each hashed as it reads the
     * source and read back after it (a run that differs is marked dirty again: a later write or a
     * bad copy, the next round settles it). When a round ends with no dirty block left in any of
     * them, each is promoted to RW without stopping I/O. That is safe because of what a round's end
     * guarantees ({@link ReplicaSet#quiesce()} inside the copy): every write that might have raced
     * it has done its dirty check; so a replica with no dirty bit holds every block as the source
     * does, except for writes still in flight, which go to it as well (or, failing there, mark it
     * dirty and ERR, which {@link Member#promote()} never overwrites).
     *
     * @return true when every replica was promoted; false when they did not converge (the caller
     *         finishes with a paused round)
     * @throws IOException when a replica failed meanwhile; its dirty bits are kept
     */
    boolean finishWithoutPause(java.util.List<Member> ms) throws IOException {
        for (int round = 0; ; round++) {
            boolean clean = true;
            for (Member m : ms) {
                clean &= m.dirty.cardinality() == 0;
            }
            if (clean) {
                for (Member m : ms) {
                    if (m.mode == ReplicaMode.RW) {
                        continue;
                    }
                    if (!m.promote()) {
                        throw new IOException("replica " + m.id + " went " + m.mode + " while catching up: "
                                + m.lastError);
                    }
                }
                return true;
            }
            if (round == PAUSE_FREE_ROUNDS) {
                return false;
            }
            for (Member m : ms) {
                AtomicBitmap batch = m.dirty.drain();
                if (batch.cardinality() == 0) {
                    continue;
                }
                set.gate().enter();
                try {
                    Copied c = new Copied(batch);
                    copy(batch, m, false, Pacer.NONE, c);
                    redirtyWhatDiffers(c, m);
                } catch (IOException | RuntimeException e) {
                    m.dirty.or(batch);
                    throw e;
                } finally {
                    set.gate().exit();
                }
            }
        }
    }

    /** As {@link #verify} with I/O flowing: a run that differs is marked dirty, not an error. */
    private void redirtyWhatDiffers(Copied c, Member m) throws IOException {
        int bs = set.blockSize();
        forEachDiffering(c, m, (off, len) -> m.dirty.setRange(off / bs, (off + len + bs - 1) / bs));
    }

    /** What to do with a run whose copy differs from the hash its source had when read. */
    private interface Mismatch {
        void at(long offset, int length) throws IOException;
    }

    /** Reads back each run {@code c} copied to {@code m} and hands the ones that differ to {@code onMismatch}. */
    private void forEachDiffering(Copied c, Member m, Mismatch onMismatch) throws IOException {
        // A heap buffer: zero-allocation-hashing reads direct buffers through sun.nio.ch
        // internals, which Java 17 does not export.
        ByteBuffer b = verifyBuffer();
        for (int i = 0; i < c.n; i += 3) {
            long off = c.runs[i];
            int len = (int) c.runs[i + 1];
            b.clear().limit(len);
            m.target.read(off, b);
            if (XXH3.hashBytes(b.flip()) != c.runs[i + 2]) {
                onMismatch.at(off, len);
            }
        }
    }

    private ByteBuffer verifyBuffer() {
        if (verifyBuf == null) {
            verifyBuf = ByteBuffer.allocate(copyBuffer().capacity());
        }
        return verifyBuf;
    }

    /**
     * Reads back what {@link #copyPaused} copied from {@code m} and compares it by xxh3 with the
     * hashes taken from the source as it was read; throws on mismatch. Only valid with I/O still
     * paused since the copy.
     */
    void verify(Copied c, Member m) throws IOException {
        forEachDiffering(c, m, (off, len) -> {
            throw new VerifyFailedException(m.id, off, len);
        });
    }

    /** The copy does not match its source: the replica is not promoted. */
    public static final class VerifyFailedException extends IOException {
        public VerifyFailedException(String replica, long offset, int length) {
            super("replica " + replica + " differs from its source at " + offset + "+" + length + " after copy");
        }
    }
}
