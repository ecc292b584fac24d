package dev.prescient.engine.store;

import dev.prescient.engine.BlockTarget;
import dev.prescient.engine.ForwardingTarget;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A {@link BlockTarget} that answers like slower media: every request waits a fixed latency before
 * it reaches the wrapped target, and, with a bandwidth cap, the bytes it moves are paced to that
 * rate. Local mode runs all tiers on one disk; this is what makes its ssd and hdd tiers measurably
 * slower than nvme, so placement and migration decisions have something real to react to.
 *
 * <p>Latency is per request and requests wait independently (like a device with a deep queue), so
 * concurrent connections overlap their waits, as they did with nbdkit's delay filter that this
 * replaces. The bandwidth cap is shared by all threads: each transfer reserves its slot on one
 * timeline, so the aggregate rate stays at the cap however many connections there are.
 *
 * <p>Unmap and write-zeroes count as writes (the device still has to acknowledge them); the
 * hole queries ({@link #nextAllocated}, {@link #nextHole}) are metadata and pass straight through.
 */
public final class ThrottledTarget extends ForwardingTarget {
    private final long latencyNanos;
    private final long bytesPerSecond;
    /** The instant (System.nanoTime) at which the bandwidth timeline is free again. */
    private long bandwidthFreeAt = Long.MIN_VALUE;

    /**
     * @param latencyMicros added to every read, write, unmap, write-zeroes and flush (0 = none)
     * @param bytesPerSecond cap on the bytes read and written per second (0 = no cap)
     */
    public ThrottledTarget(BlockTarget inner, long latencyMicros, long bytesPerSecond) {
        super(inner);
        if (latencyMicros < 0 || bytesPerSecond < 0) {
            throw new IllegalArgumentException("latency and bandwidth must be >= 0: " + latencyMicros + ", "
                    + bytesPerSecond);
        }
        this.latencyNanos = latencyMicros * 1000;
        this.bytesPerSecond = bytesPerSecond;
    }

    /** {@code inner} itself when there is nothing to throttle, so the fast path has no extra layer. */
    public static BlockTarget wrap(BlockTarget inner, long latencyMicros, long bytesPerSecond) {
        return latencyMicros == 0 && bytesPerSecond == 0 ? inner
                : new ThrottledTarget(inner, latencyMicros, bytesPerSecond);
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        delay(dst.remaining());
        inner.read(offset, dst);
    }

    @Override
    public void write(long offset, ByteBuffer src, boolean fua) throws IOException {
        delay(src.remaining());
        inner.write(offset, src, fua);
    }

    @Override
    public void unmap(long offset, long length) throws IOException {
        delay(0);
        inner.unmap(offset, length);
    }

    @Override
    public void writeZeroes(long offset, long length, boolean fua) throws IOException {
        // Zeroes are not transferred, so only the latency applies, not the bandwidth cap.
        delay(0);
        inner.writeZeroes(offset, length, fua);
    }

    @Override
    public void flush() throws IOException {
        delay(0);
        inner.flush();
    }

    /** Waits the latency plus this transfer's share of the bandwidth timeline. */
    private void delay(long bytes) throws IOException {
        long now = System.nanoTime();
        long until = now + latencyNanos;
        if (bytesPerSecond > 0 && bytes > 0) {
            long transfer = (long) (bytes * 1e9 / bytesPerSecond);
            long end;
            synchronized (this) {
                long start = bandwidthFreeAt == Long.MIN_VALUE || bandwidthFreeAt - now < 0 ? now : bandwidthFreeAt;
                end = start + transfer;
                bandwidthFreeAt = end;
            }
            if (end - until > 0) {
                until = end;
            }
        }
        parkUntil(until, this);
    }
}
