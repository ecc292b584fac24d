package dev.prescient.engine.volume;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import net.openhft.hashing.LongHashFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compares the in-sync replicas of a set extent by extent (xxh3 of each copy), throttled to a
 * byte rate so that it can run in the background. A mismatch is re-checked with I/O paused (a
 * concurrent write can make copies differ for a moment) and then repaired from the read source
 * (local first), and reported. With two replicas the read source is the authority: there is no
 * majority to vote with.
 */
public final class Scrubber {
    private static final Logger LOG = LoggerFactory.getLogger(Scrubber.class);
    private static final LongHashFunction XXH3 = LongHashFunction.xx3();

    private final ReplicaSet set;
    private final int extentSize;
    private final long bytesPerSecond;

    public Scrubber(ReplicaSet set, int extentSize, long bytesPerSecond) {
        this.set = set;
        this.extentSize = extentSize;
        this.bytesPerSecond = bytesPerSecond;
    }

    public record Mismatch(long offset, int length, String replicaId, boolean repaired) {
    }

    public record Report(long extentsCompared, long bytesRead, List<Mismatch> mismatches) {
    }

    public Report scrubOnce() throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        long bytes = 0;
        long extents = 0;
        List<Mismatch> found = new ArrayList<>();
        // Heap buffers: see DeltaSync.verify.
        ByteBuffer ref = ByteBuffer.allocate(extentSize);
        ByteBuffer other = ByteBuffer.allocate(extentSize);
        for (long off = 0; off < set.size(); off += extentSize) {
            int len = (int) Math.min(extentSize, set.size() - off);
            List<Member> ms = inSync();
            if (ms.size() < 2) {
                break;
            }
            if (!anyAllocated(ms, off, len)) {
                continue;
            }
            extents++;
            set.gate().enter();
            List<Member> differing = new ArrayList<>();
            try {
                ref.clear().limit(len);
                ms.get(0).target.read(off, ref);
                long h = XXH3.hashBytes(ref.flip());
                for (int i = 1; i < ms.size(); i++) {
                    other.clear().limit(len);
                    ms.get(i).target.read(off, other);
                    if (XXH3.hashBytes(other.flip()) != h) {
                        differing.add(ms.get(i));
                    }
                }
            } finally {
                set.gate().exit();
            }
            bytes += (long) len * ms.size();
            if (!differing.isEmpty()) {
                found.addAll(recheckAndRepair(off, len, ms.get(0), differing, ref, other));
            }
            throttle(t0, bytes);
        }
        return new Report(extents, bytes, found);
    }

    private List<Member> inSync() {
        List<Member> out = new ArrayList<>();
        for (Member m : set.members()) {
            if (m.mode == ReplicaMode.RW && m.sync) {
                out.add(m);
            }
        }
        return out;
    }

    private static boolean anyAllocated(List<Member> ms, long off, int len) throws IOException {
        for (Member m : ms) {
            long a = m.target.nextAllocated(off);
            if (a >= 0 && a < off + len) {
                return true;
            }
        }
        return false;
    }

    private List<Mismatch> recheckAndRepair(long off, int len, Member source, List<Member> suspects, ByteBuffer ref,
                                            ByteBuffer other) throws IOException {
        List<Mismatch> out = new ArrayList<>();
        try {
            set.gate().pause(10, TimeUnit.SECONDS);
        } catch (TimeoutException | InterruptedException e) {
            throw new IOException("could not pause volume " + set.volumeId() + " to repair", e);
        }
        try {
            ref.clear().limit(len);
            source.target.read(off, ref);
            long h = XXH3.hashBytes(ref.flip());
            for (Member m : suspects) {
                other.clear().limit(len);
                m.target.read(off, other);
                if (XXH3.hashBytes(other.flip()) == h) {
                    continue; // a write raced the first comparison
                }
                boolean repaired = false;
                try {
                    m.target.write(off, ref.duplicate(), true);
                    repaired = true;
                } catch (IOException e) {
                    set.fail(m.id, "scrub repair failed: " + e.getMessage());
                }
                LOG.warn("volume {}: replica {} differed from {} at {}+{}; repaired={}", set.volumeId(), m.id,
                        source.id, off, len, repaired);
                out.add(new Mismatch(off, len, m.id, repaired));
            }
        } finally {
            set.gate().resume();
        }
        return out;
    }

    private void throttle(long t0, long bytes) throws InterruptedException {
        if (bytesPerSecond <= 0) {
            return;
        }
        long dueNanos = bytes * 1_000_000_000L / bytesPerSecond;
        long ahead = dueNanos - (System.nanoTime() - t0);
        if (ahead > 0) {
            TimeUnit.NANOSECONDS.sleep(ahead);
        }
    }
}
