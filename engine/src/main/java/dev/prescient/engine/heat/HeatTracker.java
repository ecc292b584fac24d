package dev.prescient.engine.heat;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Heat telemetry of one volume. The I/O path only increments counters of the current period
 * (lock-free); decay is applied when a snapshot folds the period into the decayed totals
 * (exponential decay with a half-life), so no timer touches the hot path.
 */
public final class HeatTracker implements IoListener {
    private static final int BUCKETS = 32;

    private final int extentSize;
    private final int extents;
    private final double halfLifeNanos;
    private final LongSupplier clock;
    private final AtomicLongArray reads;
    private final AtomicLongArray writes;
    private final AtomicLongArray latency = new AtomicLongArray(IoOp.values().length * BUCKETS);
    private final Map<String, LongAdder[]> consumers = new ConcurrentHashMap<>();
    private final Map<Integer, LongAdder> errors = new ConcurrentHashMap<>();
    // Decayed state, only touched under the snapshot lock.
    private final double[] readHeat;
    private final double[] writeHeat;
    private final Map<String, double[]> consumerHeat = new HashMap<>();
    private long lastFold;

    public HeatTracker(long volumeSize, int extentSize, double halfLifeSeconds, LongSupplier nanoClock) {
        if (extentSize <= 0) {
            throw new IllegalArgumentException("extent size must be positive");
        }
        long n = (volumeSize + extentSize - 1) / extentSize;
        if (n > 1 << 26) {
            throw new IllegalArgumentException("too many extents (" + n + "): use a larger extent size");
        }
        this.extentSize = extentSize;
        this.extents = (int) n;
        this.halfLifeNanos = halfLifeSeconds * 1e9;
        this.clock = nanoClock;
        this.reads = new AtomicLongArray(extents);
        this.writes = new AtomicLongArray(extents);
        this.readHeat = new double[extents];
        this.writeHeat = new double[extents];
        this.lastFold = clock.getAsLong();
    }

    public HeatTracker(long volumeSize, int extentSize, double halfLifeSeconds) {
        this(volumeSize, extentSize, halfLifeSeconds, System::nanoTime);
    }

    /**
     * Latency and errors of this engine's medium: I/O of its own replica set and I/O it serves for another engine
     * (a remote front-end whose member this replica is). Heat is counted by {@link #onIo} at the front-end only.
     */
    public void onMediaIo(IoOp op, long nanos, int errno) {
        long us = Math.max(1, nanos / 1000);
        int bucket = Math.min(BUCKETS - 1, 63 - Long.numberOfLeadingZeros(us));
        latency.incrementAndGet(op.ordinal() * BUCKETS + bucket);
        if (errno != 0) {
            errors.computeIfAbsent(errno, e -> new LongAdder()).increment();
        }
    }

    /**
     * Heat of a request as the client sent it. Latency and errors are the medium's and are recorded below the
     * replica set ({@link #onMediaIo}, through {@link MediaLatencyTarget}): at this level they would include
     * remote members and switch pauses, which say nothing about a disk.
     */
    @Override
    public void onIo(String consumer, IoOp op, long offset, long length, long nanos, int errno) {
        if (errno != 0) {
            return;
        }
        if (op == IoOp.FLUSH) {
            return;
        }
        AtomicLongArray counters = op == IoOp.READ ? reads : writes;
        long first = offset / extentSize;
        long last = length == 0 ? first : (offset + length - 1) / extentSize;
        for (long e = first; e <= last && e < extents; e++) {
            counters.incrementAndGet((int) e);
        }
        if (consumer != null) {
            LongAdder[] c = consumers.computeIfAbsent(consumer,
                    k -> new LongAdder[]{new LongAdder(), new LongAdder(), new LongAdder()});
            c[op == IoOp.READ ? 0 : 1].increment();
            c[2].add(length);
        }
    }

    /** Folds the current period into the decayed totals and returns a compact copy. */
    public synchronized HeatSnapshot snapshot() {
        long now = clock.getAsLong();
        double f = Math.pow(0.5, (now - lastFold) / halfLifeNanos);
        lastFold = now;
        int hot = 0;
        for (int i = 0; i < extents; i++) {
            readHeat[i] = readHeat[i] * f + reads.getAndSet(i, 0);
            writeHeat[i] = writeHeat[i] * f + writes.getAndSet(i, 0);
            if (readHeat[i] < 1e-3) {
                readHeat[i] = 0;
            }
            if (writeHeat[i] < 1e-3) {
                writeHeat[i] = 0;
            }
            if (readHeat[i] > 0 || writeHeat[i] > 0) {
                hot++;
            }
        }
        int[] idx = new int[hot];
        float[] r = new float[hot];
        float[] w = new float[hot];
        for (int i = 0, j = 0; i < extents; i++) {
            if (readHeat[i] > 0 || writeHeat[i] > 0) {
                idx[j] = i;
                r[j] = (float) readHeat[i];
                w[j++] = (float) writeHeat[i];
            }
        }
        for (double[] v : consumerHeat.values()) {
            v[0] *= f;
            v[1] *= f;
            v[2] *= f;
        }
        consumers.forEach((k, c) -> {
            double[] v = consumerHeat.computeIfAbsent(k, x -> new double[3]);
            v[0] += c[0].sumThenReset();
            v[1] += c[1].sumThenReset();
            v[2] += c[2].sumThenReset();
        });
        Map<String, HeatSnapshot.ConsumerHeat> cons = new HashMap<>();
        consumerHeat.forEach((k, v) -> cons.put(k, new HeatSnapshot.ConsumerHeat(v[0], v[1], v[2])));
        long[][] lat = new long[IoOp.values().length][BUCKETS];
        for (int op = 0; op < lat.length; op++) {
            for (int b = 0; b < BUCKETS; b++) {
                lat[op][b] = latency.get(op * BUCKETS + b);
            }
        }
        Map<Integer, Long> errs = new HashMap<>();
        errors.forEach((k, v) -> errs.put(k, v.sum()));
        return new HeatSnapshot(System.currentTimeMillis(), extentSize, halfLifeNanos / 1e9, idx, r, w, cons, lat,
                errs);
    }
}
