package dev.prescient.engine;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.LockSupport;

/**
 * A {@link BlockTarget} that passes every call to another one; wrappers (throttle, injected faults, media timing)
 * override only what they change.
 */
public abstract class ForwardingTarget implements BlockTarget {
    protected final BlockTarget inner;

    protected ForwardingTarget(BlockTarget inner) {
        this.inner = inner;
    }

    public BlockTarget inner() {
        return inner;
    }

    /**
     * Parks until {@code deadlineNanos} (System.nanoTime) has passed. parkNanos may return early (spurious
     * wake-ups), so it loops: callers rely on "at least this long".
     */
    protected static void parkUntil(long deadlineNanos, Object blocker) throws InterruptedIOException {
        for (long left = deadlineNanos - System.nanoTime(); left > 0; left = deadlineNanos - System.nanoTime()) {
            LockSupport.parkNanos(blocker, left);
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while delayed");
            }
        }
    }

    @Override
    public long size() {
        return inner.size();
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        inner.read(offset, dst);
    }

    @Override
    public void write(long offset, ByteBuffer src, boolean fua) throws IOException {
        inner.write(offset, src, fua);
    }

    @Override
    public void unmap(long offset, long length) throws IOException {
        inner.unmap(offset, length);
    }

    @Override
    public void writeZeroes(long offset, long length, boolean fua) throws IOException {
        inner.writeZeroes(offset, length, fua);
    }

    @Override
    public void flush() throws IOException {
        inner.flush();
    }

    @Override
    public long nextAllocated(long offset) throws IOException {
        return inner.nextAllocated(offset);
    }

    @Override
    public long nextHole(long offset) throws IOException {
        return inner.nextHole(offset);
    }

    @Override
    public void close() throws IOException {
        inner.close();
    }
}
