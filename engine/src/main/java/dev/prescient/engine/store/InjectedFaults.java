package dev.prescient.engine.store;

import dev.prescient.engine.BlockTarget;
import dev.prescient.engine.ForwardingTarget;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A {@link BlockTarget} whose medium degrades on demand: extra latency per request and a share of reads that
 * fail with an I/O error, both read from a small properties file ({@code latency_us}, {@code read_error_permille})
 * that a test or local mode's scenario rewrites while the engine runs. This is how a disk that is about to fail
 * looks from above (slower answers, then errors), so the engine's latency and error telemetry and the operator's
 * failure predictor can be exercised on a machine whose disks are healthy. No file, or an unreadable one, means
 * no faults. The file is read at most once per second, so the request path costs one volatile read.
 */
public final class InjectedFaults extends ForwardingTarget {
    private static final long RELOAD_NANOS = 1_000_000_000L;

    /** What the file says now. */
    public record Faults(long latencyMicros, int readErrorPermille) {
        static final Faults NONE = new Faults(0, 0);
    }

    private final Path file;
    private volatile Faults faults = Faults.NONE;
    private volatile long loadedAt = Long.MIN_VALUE;

    public InjectedFaults(BlockTarget inner, Path file) {
        super(inner);
        this.file = file;
    }

    /** Parses the file; absent keys are 0; a malformed value is an error naming the key. */
    public static Faults parse(Path file) throws IOException {
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(file)) {
            p.load(in);
        } catch (NoSuchFileException e) {
            return Faults.NONE;
        }
        long latency = number(p, "latency_us", file);
        long permille = number(p, "read_error_permille", file);
        if (permille > 1000) {
            throw new IOException(file + ": read_error_permille must be 0..1000, not " + permille);
        }
        return new Faults(latency, (int) permille);
    }

    private static long number(Properties p, String key, Path file) throws IOException {
        String v = p.getProperty(key, "0").strip();
        try {
            long n = Long.parseLong(v);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IOException(file + ": " + key + " must be a whole number >= 0, not '" + v + "'");
        }
    }

    /** The faults in force (reloaded when older than a second). */
    public Faults current() {
        long now = System.nanoTime();
        if (loadedAt == Long.MIN_VALUE || now - loadedAt > RELOAD_NANOS) {
            loadedAt = now;
            try {
                faults = parse(file);
            } catch (IOException e) {
                // A half-written or wrong file must not stop the engine: keep what was in force.
                System.err.println("fault file: " + e.getMessage());
            }
        }
        return faults;
    }

    private void delay() throws IOException {
        parkUntil(System.nanoTime() + current().latencyMicros() * 1000, this);
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        delay();
        int permille = faults.readErrorPermille();
        if (permille > 0 && ThreadLocalRandom.current().nextInt(1000) < permille) {
            throw new IOException("injected read error at offset " + offset + " (" + file + ")");
        }
        inner.read(offset, dst);
    }

    @Override
    public void write(long offset, ByteBuffer src, boolean fua) throws IOException {
        delay();
        inner.write(offset, src, fua);
    }

    @Override
    public void unmap(long offset, long length) throws IOException {
        delay();
        inner.unmap(offset, length);
    }

    @Override
    public void writeZeroes(long offset, long length, boolean fua) throws IOException {
        delay();
        inner.writeZeroes(offset, length, fua);
    }

    @Override
    public void flush() throws IOException {
        delay();
        inner.flush();
    }
}
