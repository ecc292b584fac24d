package dev.prescient.engine.replication;

import dev.prescient.engine.Zeroes;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReplicationSettingsTest {

    @Test
    void boundsAreChecked() {
        ReplicationSettings d = ReplicationSettings.defaults();
        assertThat(d.compression()).isEqualTo(Compression.LZ4);
        assertThatThrownBy(() -> d.withBatch(1024, 8)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> d.withBatch(1 << 20, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> d.withTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThat(d.withCompression(Compression.ZSTD).withDedup(false))
                .extracting(ReplicationSettings::compression, ReplicationSettings::dedup)
                .containsExactly(Compression.ZSTD, false);
    }

    @Test
    void zeroDetectionLooksAtEveryByteOfTheRemainingRange() {
        ByteBuffer b = ByteBuffer.allocateDirect(4096 + 3);
        assertThat(Zeroes.isZero(b)).isTrue();
        for (int i : new int[] {0, 7, 8, 4095, 4096, 4098}) {
            b.put(i, (byte) 1);
            assertThat(Zeroes.isZero(b)).as("byte %d set", i).isFalse();
            b.put(i, (byte) 0);
        }
        b.put(0, (byte) 1);
        assertThat(Zeroes.isZero(b.duplicate().position(1))).isTrue();
    }
}
