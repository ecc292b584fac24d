package dev.prescient.csi.node;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Reads a device's first block with O_DIRECT, bypassing the page cache, on a daemon thread with a
 * deadline: a read stuck on a hung export must not hang the stats call (the thread is left behind).
 */
final class DeviceRead {
    private static final ExecutorService READERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "device-read");
        t.setDaemon(true);
        return t;
    });

    private DeviceRead() {
    }

    /** Empty when the block was read; otherwise why not. */
    static Optional<String> firstBlock(String device, long timeoutMillis) {
        Future<Integer> f = READERS.submit(() -> {
            try (FileChannel ch = FileChannel.open(Path.of(device), StandardOpenOption.READ, ExtendedOpenOption.DIRECT)) {
                ByteBuffer buf = ByteBuffer.allocateDirect(2 * 4096).alignedSlice(4096).limit(4096);
                return ch.read(buf, 0);
            }
        });
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
