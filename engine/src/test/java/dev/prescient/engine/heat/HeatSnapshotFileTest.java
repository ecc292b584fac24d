package dev.prescient.engine.heat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HeatSnapshotFileTest {
    @TempDir
    Path dir;

    @Test
    void roundTripKeepsHotExtentsAndConsumersAndRejectsTornFiles() throws Exception {
        AtomicLong now = new AtomicLong();
        HeatTracker h = new HeatTracker(100 << 20, 1 << 20, 30, now::get);
        for (int i = 0; i < 5; i++) {
            h.onIo("ns/pod-a", IoOp.READ, 7L << 20, 4096, 10_000, 0);
        }
        h.onIo("ns/pod-b", IoOp.WRITE, 42L << 20, 8192, 10_000, 0);
        for (int i = 0; i < 5; i++) {
            h.onMediaIo(IoOp.READ, 10_000, 0);
        }
        h.onMediaIo(IoOp.WRITE, 10_000, 0);
        h.onMediaIo(IoOp.READ, 3_000_000, 5);
        HeatSnapshot s = h.snapshot();
        Path f = dir.resolve("v.heat");
        HeatSnapshotFile.write(s, f);
        HeatSnapshot back = HeatSnapshotFile.read(f);
        assertThat(back.extents()).containsExactly(7, 42);
        assertThat(back.readHeat()).containsExactly(5f, 0f);
        assertThat(back.writeHeat()).containsExactly(0f, 1f);
        assertThat(back.extentSize()).isEqualTo(1 << 20);
        assertThat(back.halfLifeSeconds()).isEqualTo(30);
        assertThat(back.takenAtMillis()).isEqualTo(s.takenAtMillis());
        assertThat(back.consumers()).isEqualTo(s.consumers());
        // 10 us reads land in bucket 3 ([8, 16) us); the failed 3 ms read in bucket 11 and counts errno 5.
        assertThat(back.latencyBuckets()[IoOp.READ.ordinal()][3]).isEqualTo(5);
        assertThat(back.latencyBuckets()[IoOp.READ.ordinal()][11]).isEqualTo(1);
        assertThat(back.latencyBuckets()[IoOp.WRITE.ordinal()][3]).isEqualTo(1);
        assertThat(back.errors()).containsEntry(5, 1L).hasSize(1);
        assertThat(Files.exists(dir.resolve("v.heat.tmp"))).isFalse();

        byte[] b = Files.readAllBytes(f);
        Files.write(f, java.util.Arrays.copyOf(b, b.length - 3));
        assertThatThrownBy(() -> HeatSnapshotFile.read(f)).isInstanceOf(IOException.class);
        b[20] ^= 1;
        Files.write(f, b);
        assertThatThrownBy(() -> HeatSnapshotFile.read(f)).hasMessageContaining("checksum");
    }
}
