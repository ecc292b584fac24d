package dev.prescient.engine.volume;

import dev.prescient.engine.BlockSink;
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

    private final ReplicaSet set;
    private final Pacer pacer;

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
        return copy(blocks, m, false);
    }

    /** As {@link #copy(AtomicBitmap, Member)}; {@code durable} also fsyncs the target. */
    long copy(AtomicBitmap blocks, Member m, boolean durable) throws IOException {
        return copy(blocks, m, durable, Pacer.NONE);
    }

    private long copy(AtomicBitmap blocks, Member m, boolean durable, Pacer runPacer) throws IOException {
        int bs = set.blockSize();
        int runMax = Math.max(1, RUN_BLOCKS_MAX_BYTES / bs);
        ByteBuffer buf = ByteBuffer.allocateDirect(runMax * bs);
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
                long zeroFrom = -1;
                for (long i = b; i < end; i++) {
                    int p = (int) ((i - b) * bs);
                    int n = Math.min(bs, len - p);
                    ByteBuffer blk = buf.duplicate();
                    blk.position(p).limit(p + n);
                    if (isZero(blk)) {
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
            set.quiesceMutations();
            return sink.bytesTransferred();
        } finally {
            m.copying = null;
        }
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
        while (rounds < maxRounds && m.dirty.cardinality() > finalThreshold) {
            AtomicBitmap batch = m.dirty.drain();
            rounds++;
            try {
                long sentBefore = sent;
                Pacer roundPacer = (blocks, bytes) -> pacer.copied(blocks, sentBefore + bytes);
                set.gate().enter();
                try {
                    sent += copy(batch, m, false, roundPacer);
                } finally {
                    set.gate().exit();
                }
            } catch (IOException | RuntimeException e) {
                m.dirty.or(batch);
                throw e;
            }
            copied += batch.cardinality();
        }
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
                sent += copy(last, m);
                clock.lap(); // final copy
                verify(last, m);
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
        // Rounds were applied but not fsynced (keeps the pause short); make them durable now.
        try {
            m.target.flush();
        } catch (IOException e) {
            m.dirty.setRange(0, set.blocks()); // unknown what reached the disk: copy it all again
            set.fail(m.id, "flush after catch-up failed: " + e.getMessage());
            throw e;
        }
        return new Result(rounds + 1, copied + last.cardinality(), sent, last.cardinality(), pause, clock.phases());
    }

    /** Compares the blocks by xxh3 between the read source and {@code m}; throws on mismatch. */
    void verify(AtomicBitmap blocks, Member m) throws IOException {
        int bs = set.blockSize();
        // Heap buffers: zero-allocation-hashing reads direct buffers through sun.nio.ch internals,
        // which Java 17 does not export.
        ByteBuffer a = ByteBuffer.allocate(RUN_BLOCKS_MAX_BYTES);
        ByteBuffer b = ByteBuffer.allocate(RUN_BLOCKS_MAX_BYTES);
        int runMax = RUN_BLOCKS_MAX_BYTES / bs;
        for (long i = blocks.nextSetBit(0); i >= 0; ) {
            long end = Math.min(blocks.nextClearBit(i), i + runMax);
            long off = i * bs;
            int len = (int) Math.min((end - i) * bs, set.size() - off);
            a.clear().limit(len);
            b.clear().limit(len);
            set.readUngated(off, a);
            m.target.read(off, b);
            if (XXH3.hashBytes(a.flip()) != XXH3.hashBytes(b.flip())) {
                throw new VerifyFailedException(m.id, off, len);
            }
            i = blocks.nextSetBit(end);
        }
    }

    static boolean isZero(ByteBuffer b) {
        int i = b.position();
        int end = b.limit();
        for (; i + 8 <= end; i += 8) {
            if (b.getLong(i) != 0) {
                return false;
            }
        }
        for (; i < end; i++) {
            if (b.get(i) != 0) {
                return false;
            }
        }
        return true;
    }

    /** The copy does not match its source: the replica is not promoted. */
    public static final class VerifyFailedException extends IOException {
        public VerifyFailedException(String replica, long offset, int length) {
            super("replica " + replica + " differs from its source at " + offset + "+" + length + " after copy");
        }
    }
}
