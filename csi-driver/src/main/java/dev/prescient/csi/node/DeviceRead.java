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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
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
    private static final ExecutorService READERS = readers(MAX_READERS);

    private DeviceRead() {
    }

    /** Threads {@code device-read-N}, at most {@code max}, none queued behind them (refused instead). */
    static ExecutorService readers(int max) {
        AtomicInteger n = new AtomicInteger();
        return new ThreadPoolExecutor(0, max, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "device-read-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
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
    static Optional<String> check(ExecutorService readers, String device, long timeoutMillis, Callable<Integer> read) {
        Future<Integer> f;
        try {
            f = readers.submit(read);
        } catch (RejectedExecutionException e) {
            return Optional.of("reading " + device + " not tried: earlier device reads are still stuck");
        }
        try {
            int n = f.get(timeoutMillis, TimeUnit.MILLISECONDS);
            return n > 0 ? Optional.empty() : Optional.of("reading " + device + " returned no data");
        } catch (TimeoutException e) {
            f.cancel(true);
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
