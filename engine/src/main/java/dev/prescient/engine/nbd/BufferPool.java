package dev.prescient.engine.nbd;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * Direct buffers by power-of-two size class (4 KiB .. {@link #PIECE}), with a hard cap on the
 * direct memory the pool holds, lent and idle together. Larger requests are served in pieces of
 * {@link #PIECE}, so no request allocates ahead of its data. When the cap is reached, idle buffers
 * of other classes are dropped; if that is not enough the caller waits up to the configured time
 * and then gets {@code null} (the request is answered ENOMEM). A failed {@code allocateDirect}
 * (the JVM's own direct-memory limit) also gives {@code null}: it is an answer, not a crash.
 */
final class BufferPool {
    /** Largest buffer handed out; the unit in which large READ/WRITE payloads are streamed. */
    static final int PIECE = 1 << 20;
    private static final int MIN_SHIFT = 12; // 4 KiB
    private static final int MAX_SHIFT = 20;

    private final long capacity;
    private final long waitNanos;
    @SuppressWarnings("unchecked")
    private final ArrayDeque<ByteBuffer>[] free = new ArrayDeque[MAX_SHIFT - MIN_SHIFT + 1];
    private long allocated; // bytes of buffers this pool created and has not dropped (lent + idle)
    private long idle;
    private long failures;

    BufferPool(long capacity, long waitMillis) {
        if (capacity < PIECE) {
            throw new IllegalArgumentException("buffer budget below one piece (" + PIECE + " bytes): " + capacity);
        }
        this.capacity = capacity;
        this.waitNanos = TimeUnit.MILLISECONDS.toNanos(waitMillis);
        for (int i = 0; i < free.length; i++) {
            free[i] = new ArrayDeque<>();
        }
    }

    private static int cls(int len) {
        int shift = Math.max(MIN_SHIFT, 32 - Integer.numberOfLeadingZeros(Math.max(1, len) - 1));
        return shift - MIN_SHIFT;
    }

    /** The capacity of the buffer {@link #acquire} hands out for {@code len} bytes. */
    static int sizeFor(int len) {
        if (len > PIECE) {
            throw new IllegalArgumentException("buffers are at most " + PIECE + " bytes: " + len);
        }
        return 1 << (cls(len) + MIN_SHIFT);
    }

    /** A buffer with position 0 and limit {@code len}, or null when the budget stays exhausted. */
    ByteBuffer acquire(int len) {
        int c = cls(len);
        int size = sizeFor(len);
        long deadline = System.nanoTime() + waitNanos;
        ByteBuffer b;
        synchronized (this) {
            while (true) {
                b = free[c].poll();
                if (b != null) {
                    idle -= size;
                    break;
                }
                if (allocated + size <= capacity || dropIdleLocked(size)) {
                    allocated += size; // reserved now, allocated outside the lock
                    break;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    failures++;
                    return null;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    failures++;
                    return null;
                }
            }
        }
        if (b == null) {
            try {
                b = ByteBuffer.allocateDirect(size);
            } catch (OutOfMemoryError e) {
                // Direct memory is a JVM limit of its own (a Java-level error, not fatal to the VM):
                // this request fails, the process and the other connections go on.
                synchronized (this) {
                    allocated -= size;
                    failures++;
                    notifyAll();
                }
                return null;
            }
        }
        b.clear().limit(len);
        return b;
    }

    /** Drops idle buffers of any class until {@code size} more fits; false if it cannot. */
    private boolean dropIdleLocked(int size) {
        if (allocated - idle + size > capacity) {
            return false;
        }
        for (int i = free.length - 1; i >= 0 && allocated + size > capacity; i--) {
            ByteBuffer d;
            while (allocated + size > capacity && (d = free[i].poll()) != null) {
                // Unreferenced, its memory returns when the GC collects it (the JDK's direct-memory
                // reservation triggers that itself when it runs short).
                allocated -= d.capacity();
                idle -= d.capacity();
            }
        }
        return true;
    }

    void release(ByteBuffer b) {
        int c = cls(b.capacity());
        synchronized (this) {
            if (b.capacity() != (1 << (c + MIN_SHIFT))) {
                return; // not one of ours
            }
            free[c].offer(b);
            idle += b.capacity();
            notifyAll();
        }
    }

    synchronized long allocatedBytes() {
        return allocated;
    }

    synchronized long lentBytes() {
        return allocated - idle;
    }

    synchronized long failures() {
        return failures;
    }

    long capacity() {
        return capacity;
    }
}
