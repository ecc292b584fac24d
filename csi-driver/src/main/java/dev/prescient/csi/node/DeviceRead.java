package dev.prescient.csi.node;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reads a device's first block with O_DIRECT, bypassing the page cache, on a daemon thread with a
 * deadline: a read stuck on a hung export must not hang the stats call (the thread is left behind).
 * At most {@link #MAX_READERS} such threads exist: a read stuck in the kernel cannot be interrupted,
 * so each hung export keeps one; once all are stuck, a further check is answered at once ("earlier
 * reads still stuck") instead of leaving one more thread behind per stats call.
 */
final class DeviceRead {
    static final int MAX_READERS = 4;
    private static final Readers READERS = readers(MAX_READERS);

    private DeviceRead() {
    }

    /**
     * Threads {@code device-read-N}, at most {@code max}, and as many permits: a check runs only with a permit, which
     * its thread gives back when the read returns, so a read never waits behind stuck ones. (A SynchronousQueue at
     * the thread limit refused a check in the moment between one read returning and its thread polling again.)
     */
    record Readers(ThreadPoolExecutor pool, Semaphore permits) {
        void shutdownNow() {
            pool.shutdownNow();
        }
    }

    static Readers readers(int max) {
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(max, max, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                r -> {
                    Thread t = new Thread(r, "device-read-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return new Readers(pool, new Semaphore(max));
    }

    /** Empty when the block was read; otherwise why not. */
    static Optional<String> firstBlock(String device, long timeoutMillis) {
        return check(READERS, device, timeoutMillis, () -> {
            try (FileChannel ch = FileChannel.open(Path.of(device), StandardOpenOption.READ, ExtendedOpenOption.DIRECT)) {
                ByteBuffer buf = ByteBuffer.allocateDirect(2 * 4096).alignedSlice(4096).limit(4096);
                return ch.read(buf, 0);
            }
        });
    }

    /** Runs {@code read} (bytes read) on {@code readers} with the deadline; empty when it read something. */
    static Optional<String> check(Readers readers, String device, long timeoutMillis, Callable<Integer> read) {
        if (!readers.permits().tryAcquire()) {
            return Optional.of("reading " + device + " not tried: earlier device reads are still stuck");
        }
        // 0 queued, 1 running (its thread gives the permit back), 2 given up before it ran (the caller gives it back).
        AtomicInteger state = new AtomicInteger();
        Future<Integer> f;
        try {
            f = readers.pool().submit(() -> {
                if (!state.compareAndSet(0, 1)) {
                    return 0;
                }
                try {
                    return read.call();
                } finally {
                    readers.permits().release();
                }
            });
        } catch (RejectedExecutionException e) {
            readers.permits().release();
            return Optional.of("reading " + device + " not tried: the device readers are shut down");
        }
        try {
            int n = f.get(timeoutMillis, TimeUnit.MILLISECONDS);
            return n > 0 ? Optional.empty() : Optional.of("reading " + device + " returned no data");
        } catch (TimeoutException e) {
            f.cancel(true);
            if (state.compareAndSet(0, 2)) {
                readers.permits().release();
            }
            return Optional.of("reading " + device + " did not complete within " + timeoutMillis + " ms");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            return Optional.of("reading " + device + " failed: " + (c instanceof IOException ? c.getMessage() : c));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted reading " + device);
        }
    }
}
