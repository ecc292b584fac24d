package dev.prescient.engine.heat;

import dev.prescient.engine.BlockTarget;
import dev.prescient.engine.ForwardingTarget;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Times each request a remote front-end sends to this engine's replica and records it as the medium's latency
 * ({@link HeatTracker#onMediaIo}): without it a replica that only serves as another engine's member would hide a
 * slow or failing disk from the node's health.
 */
public final class MediaLatencyTarget extends ForwardingTarget {
    private static final int EIO = 5;
    private final HeatTracker tracker;

    public MediaLatencyTarget(BlockTarget inner, HeatTracker tracker) {
        super(inner);
        this.tracker = tracker;
    }

    private interface Io {
        void run() throws IOException;
    }

    /**
     * Only requests up to this size are timed: a bulk copy's megabyte writes take longer because they are large,
     * not because the disk is failing, and would read as an anomaly in the small-request history.
     */
    static final int TIMED_MAX_BYTES = 128 << 10;

    private void timed(IoOp op, long bytes, Io io) throws IOException {
        long t0 = System.nanoTime();
        try {
            io.run();
            if (bytes <= TIMED_MAX_BYTES) {
                tracker.onMediaIo(op, System.nanoTime() - t0, 0);
            }
        } catch (IOException e) {
            tracker.onMediaIo(op, System.nanoTime() - t0, EIO);
            throw e;
        }
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        timed(IoOp.READ, dst.remaining(), () -> inner.read(offset, dst));
    }

    @Override
    public void write(long offset, ByteBuffer src, boolean fua) throws IOException {
        timed(IoOp.WRITE, src.remaining(), () -> inner.write(offset, src, fua));
    }

    @Override
    public void flush() throws IOException {
        timed(IoOp.FLUSH, 0, inner::flush);
    }
}
