package dev.prescient.csi.agent;

import dev.prescient.engine.BlockTarget;
import dev.prescient.engine.store.InjectedFaults;
import dev.prescient.engine.store.ThrottledTarget;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;

/**
 * The agent's own look at each tier's media: one small read and one small write of a probe file in the tier's
 * directory per round, through the same media path an engine uses for a replica there (the node's fault file, the
 * tier's configured latency), timed. The engines measure a tier only while replicas live on it and are read or
 * written, so a tier's history used to begin when the planner first placed a volume there: a tier first used after
 * its disk began to slow learned the slow state as normal, and a node could not be judged by a tier it had not yet
 * been given (issue 19: a cold volume kept a day on ssd left node-c's hdd without a healthy past). The probe gives
 * every tier a baseline of its own, independent of placement.
 *
 * <p>Like the engines, it goes through the page cache (no O_DIRECT): the two measure the same thing, which is what
 * the failure predictor compares. On real nodes a device whose cache hides it still shows in SMART and in errors.
 */
public final class TierProbe implements AutoCloseable {

    /** The probe file's name in each tier directory, and its size (small; allocated once). */
    static final String FILE = ".prescient-probe";
    static final int FILE_BYTES = 1 << 20;
    static final int BLOCK = 4096;

    /**
     * One tier's figures over the window: the fastest round (microseconds, 0: none) and failed rounds per second. The
     * fastest, not a high percentile or even the median: a failing medium slows every request, while a busy CPU or a
     * pause of this process only ever adds time, to some rounds. Seen at load average 20-29 on 2 cores: rounds of a
     * healthy 1 ms tier at 36-103 ms for whole windows (its thread waiting to run after the tier's 1 ms wait), which
     * the median passed on and the failure predictor took for a failing disk on two healthy nodes. Slow single
     * requests of a disk that still answers others quickly are left to the engines' p99 and the error counts.
     */
    public record Report(double latencyMicros, double errorsPerSecond, int rounds) {
    }

    private record Sample(long atMillis, long micros, boolean failed) {
    }

    private final Map<String, Path> tiers;
    private final Map<String, Long> latencyUs;
    private final Path faultFile;
    private final long windowMillis;
    private final LongSupplier clockMillis;
    private final Map<String, BlockTarget> media = new LinkedHashMap<>();
    private final Map<String, Deque<Sample>> samples = new LinkedHashMap<>();

    /**
     * @param tiers     tier name to directory
     * @param latencyUs the tier latency the node's engines are started with (--tier-latency-us; local mode)
     * @param faultFile the fault file every engine of the node watches, or null
     * @param window    how far back a report looks (the node's --health-window-s)
     */
    public TierProbe(Map<String, Path> tiers, Map<String, Long> latencyUs, Path faultFile, Duration window,
                     LongSupplier clockMillis) {
        if (window.isZero() || window.isNegative()) {
            throw new IllegalArgumentException("probe window must be positive, got " + window);
        }
        this.tiers = Map.copyOf(tiers);
        this.latencyUs = Map.copyOf(latencyUs);
        this.faultFile = faultFile;
        this.windowMillis = window.toMillis();
        this.clockMillis = clockMillis;
    }

    /** One round: every tier probed once, one after the other. */
    public void probeOnce() {
        for (String tier : tiers.keySet()) {
            long started = 0;
            boolean failed = false;
            try {
                BlockTarget m = medium(tier);
                started = System.nanoTime();
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                ByteBuffer buf = ByteBuffer.allocate(BLOCK);
                m.read((long) rnd.nextInt(FILE_BYTES / BLOCK) * BLOCK, buf);
                buf.clear();
                rnd.nextBytes(buf.array());
                m.write((long) rnd.nextInt(FILE_BYTES / BLOCK) * BLOCK, buf, false);
            } catch (IOException | RuntimeException e) {
                // A failing medium is what the probe is for: counted, and the medium reopened next round.
                failed = true;
                closeQuietly(tier);
            }
            long micros = started == 0 ? 0 : (System.nanoTime() - started) / 1000;
            record(tier, new Sample(clockMillis.getAsLong(), micros, failed));
        }
    }

    private synchronized void record(String tier, Sample s) {
        Deque<Sample> d = samples.computeIfAbsent(tier, k -> new ArrayDeque<>());
        d.addLast(s);
        while (!d.isEmpty() && s.atMillis() - d.peekFirst().atMillis() > windowMillis) {
            d.removeFirst();
        }
    }

    /** The tier's figures over the last window; zeros when it was not probed in that time. */
    public synchronized Report report(String tier) {
        Deque<Sample> d = samples.get(tier);
        long now = clockMillis.getAsLong();
        if (d == null) {
            return new Report(0, 0, 0);
        }
        long[] ok = d.stream().filter(s -> now - s.atMillis() <= windowMillis && !s.failed())
                .mapToLong(Sample::micros).sorted().toArray();
        long failed = d.stream().filter(s -> now - s.atMillis() <= windowMillis && s.failed()).count();
        return new Report(ok.length == 0 ? 0 : ok[0], failed * 1000.0 / windowMillis, ok.length + (int) failed);
    }

    private BlockTarget medium(String tier) throws IOException {
        BlockTarget m = media.get(tier);
        if (m == null) {
            Path file = tiers.get(tier).resolve(FILE);
            FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            try {
                if (ch.size() < FILE_BYTES) {
                    // Written out once, so reads touch data rather than a hole.
                    byte[] fill = new byte[FILE_BYTES];
                    Arrays.fill(fill, (byte) 0x5a);
                    ch.write(ByteBuffer.wrap(fill), 0);
                    ch.force(true);
                }
            } catch (IOException e) {
                ch.close();
                throw e;
            }
            BlockTarget file0 = new FileMedium(ch);
            m = ThrottledTarget.wrap(faultFile == null ? file0 : new InjectedFaults(file0, faultFile),
                    latencyUs.getOrDefault(tier, 0L), 0);
            media.put(tier, m);
        }
        return m;
    }

    private void closeQuietly(String tier) {
        BlockTarget m = media.remove(tier);
        if (m != null) {
            try {
                m.close();
            } catch (IOException ignored) {
                // the next round opens it again
            }
        }
    }

    @Override
    public void close() {
        for (String t : Map.copyOf(media).keySet()) {
            closeQuietly(t);
        }
    }

    /** The probe file as a block target: positional reads and writes, nothing else. */
    private static final class FileMedium implements BlockTarget {
        private final FileChannel ch;

        FileMedium(FileChannel ch) {
            this.ch = ch;
        }

        @Override
        public long size() {
            return FILE_BYTES;
        }

        @Override
        public void read(long offset, ByteBuffer dst) throws IOException {
            int start = dst.position();
            while (dst.hasRemaining()) {
                if (ch.read(dst, offset + dst.position() - start) < 0) {
                    throw new IOException("probe file shorter than " + FILE_BYTES + " bytes");
                }
            }
        }

        @Override
        public void write(long offset, ByteBuffer src, boolean fua) throws IOException {
            int start = src.position();
            while (src.hasRemaining()) {
                ch.write(src, offset + src.position() - start);
            }
            if (fua) {
                ch.force(false);
            }
        }

        @Override
        public void unmap(long offset, long length) {
            // never asked of a probe
        }

        @Override
        public void writeZeroes(long offset, long length, boolean fua) throws IOException {
            write(offset, ByteBuffer.allocate((int) length), fua);
        }

        @Override
        public void flush() throws IOException {
            ch.force(false);
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    }
}
