package dev.prescient.engine.replication;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CompressionTest {

    private static ByteBuffer textLike(int n) {
        ByteBuffer b = ByteBuffer.allocateDirect(n);
        String[] words = "block replica volume node tier extent heat forecast ".split(" ");
        Random r = new Random(1);
        while (b.hasRemaining()) {
            byte[] w = (words[r.nextInt(words.length)] + ' ').getBytes();
            b.put(w, 0, Math.min(w.length, b.remaining()));
        }
        return b.flip();
    }

    private static ByteBuffer random(int n) {
        byte[] a = new byte[n];
        new Random(2).nextBytes(a);
        return ByteBuffer.allocateDirect(n).put(a).flip();
    }

    @ParameterizedTest
    @EnumSource(value = Compression.class, names = {"LZ4", "ZSTD"})
    void compressibleDataRoundTripsSmaller(Compression c) throws Exception {
        int n = 1 << 20;
        ByteBuffer src = textLike(n);
        ByteBuffer packed = ByteBuffer.allocateDirect(c.maxCompressedLength(n) + 100);
        int len = c.compress(src, 0, n, packed, 100);
        assertThat(len).isPositive().isLessThan(n / 2);
        ByteBuffer out = ByteBuffer.allocateDirect(n + 10);
        c.decompress(packed, 100, len, out, 10, n);
        assertThat(out.slice(10, n)).isEqualTo(src);
    }

    @ParameterizedTest
    @EnumSource(Compression.class)
    void incompressibleDataIsReportedSoTheCallerSendsItRaw(Compression c) {
        int n = 64 * 1024;
        ByteBuffer packed = ByteBuffer.allocateDirect(c.maxCompressedLength(n));
        assertThat(c.compress(random(n), 0, n, packed, 0)).isEqualTo(-1);
    }

    @ParameterizedTest
    @EnumSource(value = Compression.class, names = {"LZ4", "ZSTD"})
    void damagedInputIsAProtocolErrorNotACrash(Compression c) throws Exception {
        int n = 256 * 1024;
        ByteBuffer packed = ByteBuffer.allocateDirect(c.maxCompressedLength(n));
        int len = c.compress(textLike(n), 0, n, packed, 0);
        ByteBuffer out = ByteBuffer.allocateDirect(n);
        // Truncated input cannot decode to the announced length.
        assertThatThrownBy(() -> c.decompress(packed, 0, len / 2, out, 0, n))
                .isInstanceOf(ReplicationException.class);
        // A wrong announced length is refused as well.
        assertThatThrownBy(() -> c.decompress(packed, 0, len, out, 0, n - 1))
                .isInstanceOf(ReplicationException.class);
    }

    @Test
    void codecIdsAreStableOnTheWire() throws Exception {
        assertThat(Compression.byId(0)).isEqualTo(Compression.NONE);
        assertThat(Compression.byId(1)).isEqualTo(Compression.LZ4);
        assertThat(Compression.byId(2)).isEqualTo(Compression.ZSTD);
        assertThatThrownBy(() -> Compression.byId(9)).isInstanceOf(ReplicationException.class);
    }
}
