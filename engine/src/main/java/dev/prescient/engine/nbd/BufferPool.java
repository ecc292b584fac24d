package dev.prescient.engine.nbd;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Direct buffers by power-of-two size class, so the hot path does not allocate per request.
 * Each class keeps a bounded number of idle buffers; beyond that they are left to the GC.
 */
final class BufferPool {
    private static final int MIN_SHIFT = 12; // 4 KiB
    private static final int MAX_SHIFT = 25; // 32 MiB
    private static final int MAX_IDLE_BYTES_PER_CLASS = 64 << 20;

    @SuppressWarnings("unchecked")
    private final ConcurrentLinkedQueue<ByteBuffer>[] free = new ConcurrentLinkedQueue[MAX_SHIFT - MIN_SHIFT + 1];
    private final AtomicIntegerArray idle = new AtomicIntegerArray(MAX_SHIFT - MIN_SHIFT + 1);

    BufferPool() {
        for (int i = 0; i < free.length; i++) {
            free[i] = new ConcurrentLinkedQueue<>();
        }
    }

    private static int cls(int len) {
        int shift = Math.max(MIN_SHIFT, 32 - Integer.numberOfLeadingZeros(Math.max(1, len) - 1));
        return shift - MIN_SHIFT;
    }

    /** A buffer with position 0 and limit {@code len}. */
    ByteBuffer acquire(int len) {
        int c = cls(len);
        ByteBuffer b = free[c].poll();
        if (b == null) {
            b = ByteBuffer.allocateDirect(1 << (c + MIN_SHIFT));
        } else {
            idle.decrementAndGet(c);
        }
        b.clear().limit(len);
        return b;
    }

    void release(ByteBuffer b) {
        int c = cls(b.capacity());
        if ((1 << (c + MIN_SHIFT)) != b.capacity()) {
            return;
        }
        if ((long) idle.get(c) * b.capacity() < MAX_IDLE_BYTES_PER_CLASS) {
            idle.incrementAndGet(c);
            free[c].offer(b);
        }
    }
}
