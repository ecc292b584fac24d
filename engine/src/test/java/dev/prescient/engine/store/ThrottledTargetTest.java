package dev.prescient.engine.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prescient.engine.Zeroes;
import dev.prescient.engine.BlockTarget;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ThrottledTargetTest {
    @TempDir
    Path dir;

    static ByteBuffer random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return ByteBuffer.wrap(b);
    }

    @Test
    void everyRequestTakesAtLeastTheLatencyAndDataIsUnchanged() throws Exception {
        try (LocalReplica r = LocalReplica.create(dir, "r1", "v1", 4 << 20, 65536)) {
            BlockTarget t = new ThrottledTarget(r, 2000, 0);
            assertThat(t.size()).isEqualTo(4 << 20);
            long t0 = System.nanoTime();
            t.write(70000, random(5000, 1), false);
            long write = System.nanoTime() - t0;
            t0 = System.nanoTime();
            t.flush();
            long flush = System.nanoTime() - t0;
            ByteBuffer back = ByteBuffer.allocate(5000);
            t0 = System.nanoTime();
            t.read(70000, back);
            long read = System.nanoTime() - t0;
            assertThat(write).isGreaterThanOrEqualTo(2_000_000);
            assertThat(flush).isGreaterThanOrEqualTo(2_000_000);
            assertThat(read).isGreaterThanOrEqualTo(2_000_000);
            assertThat(back.flip()).isEqualTo(random(5000, 1));
            // What went through the throttle is what the replica holds, hole map included.
            ByteBuffer direct = ByteBuffer.allocate(5000);
            r.read(70000, direct);
            assertThat(direct.flip()).isEqualTo(random(5000, 1));
            assertThat(t.nextAllocated(0)).isEqualTo(r.nextAllocated(0)).isEqualTo(65536);
            t.writeZeroes(65536, 65536, false);
            ByteBuffer zero = ByteBuffer.allocate(5000);
            t.read(70000, zero);
            assertThat(Zeroes.isZero(zero.flip())).isTrue();
        }
    }

    @Test
    void meanLatencyOverManyReadsIsAtLeastTheSettingAndFarAboveUnthrottled() throws Exception {
        try (LocalReplica r = LocalReplica.create(dir, "r2", "v2", 4 << 20, 65536)) {
            r.write(0, random(65536, 3), true);
            BlockTarget slow = new ThrottledTarget(r, 1000, 0);
            ByteBuffer b = ByteBuffer.allocate(65536);
            int n = 50;
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                slow.read(0, b.clear());
            }
            double slowMicros = (System.nanoTime() - t0) / 1e3 / n;
            t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                r.read(0, b.clear());
            }
            double fastMicros = (System.nanoTime() - t0) / 1e3 / n;
            assertThat(slowMicros).isGreaterThanOrEqualTo(1000);
            assertThat(slowMicros).isGreaterThan(fastMicros + 900);
            assertThat(b.flip()).isEqualTo(random(65536, 3));
        }
    }

    @Test
    void bandwidthCapPacesTransfersAcrossThreads() throws Exception {
        try (LocalReplica r = LocalReplica.create(dir, "r3", "v3", 8 << 20, 65536)) {
            // 4 MiB/s: two threads reading 1 MiB each in 64 KiB requests need >= 0.5 s together.
            BlockTarget t = new ThrottledTarget(r, 0, 4L << 20);
            Runnable reader = () -> {
                ByteBuffer b = ByteBuffer.allocate(65536);
                try {
                    for (int i = 0; i < 16; i++) {
                        t.read((long) i * 65536, b.clear());
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            long t0 = System.nanoTime();
            Thread a = new Thread(reader);
            Thread c = new Thread(reader);
            a.start();
            c.start();
            a.join();
            c.join();
            assertThat((System.nanoTime() - t0) / 1e6).isGreaterThanOrEqualTo(500);
        }
    }

    @Test
    void nothingToThrottleMeansNoWrapperAndNegativeSettingsAreRefused() throws Exception {
        try (LocalReplica r = LocalReplica.create(dir, "r4", "v4", 1 << 20, 65536)) {
            assertThat(ThrottledTarget.wrap(r, 0, 0)).isSameAs(r);
            assertThat(ThrottledTarget.wrap(r, 5, 0)).isInstanceOf(ThrottledTarget.class);
            assertThatThrownBy(() -> new ThrottledTarget(r, -1, 0)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
