package dev.prescient.engine.replication;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FrameTest {

    private static ByteBuffer encoded(Frame f) {
        ByteBuffer b = ByteBuffer.allocate(Frame.HEADER_SIZE);
        f.encode(b);
        assertThat(b.position()).isEqualTo(Frame.HEADER_SIZE);
        return b.flip();
    }

    @Test
    void headerRoundTrips() throws Exception {
        Frame f = new Frame().set(Frame.CHUNK, 2, 0x1234_5678_9abcL, 4096, -7);
        f.payloadLength = 12345;
        f.payloadCrc = 0xdeadbeef;
        Frame g = new Frame();
        g.decode(encoded(f));
        assertThat(g.type).isEqualTo(Frame.CHUNK);
        assertThat(g.flags).isEqualTo(2);
        assertThat(g.id).isEqualTo(0x1234_5678_9abcL);
        assertThat(g.arg0).isEqualTo(4096);
        assertThat(g.arg1).isEqualTo(-7);
        assertThat(g.payloadLength).isEqualTo(12345);
        assertThat(g.payloadCrc).isEqualTo(0xdeadbeef);
    }

    @Test
    void everySingleBitFlipInTheHeaderIsRejected() {
        Frame f = new Frame().set(Frame.WRITE, Frame.FLAG_FUA, 9, 1 << 20, 0);
        f.payloadLength = 4096;
        ByteBuffer good = encoded(f);
        for (int bit = 0; bit < Frame.HEADER_SIZE * 8; bit++) {
            ByteBuffer bad = ByteBuffer.allocate(Frame.HEADER_SIZE).put(good.duplicate()).flip();
            bad.put(bit / 8, (byte) (bad.get(bit / 8) ^ (1 << (bit % 8))));
            assertThatThrownBy(() -> new Frame().decode(bad))
                    .isInstanceOf(ReplicationException.class)
                    .satisfies(e -> assertThat(((ReplicationException) e).reason())
                            .isEqualTo(ReplicationException.Reason.PROTOCOL));
        }
    }

    @Test
    void oversizedPayloadIsRejectedEvenWithAValidHeaderChecksum() {
        Frame f = new Frame().set(Frame.WRITE, 0, 1, 0, 0);
        f.payloadLength = Frame.MAX_PAYLOAD + 1;
        assertThatThrownBy(() -> new Frame().decode(encoded(f))).hasMessageContaining("payload length");
        f.payloadLength = -1;
        assertThatThrownBy(() -> new Frame().decode(encoded(f))).hasMessageContaining("payload length");
    }

    @Test
    void payloadCrcIsCrc32cOfTheRemainingBytes() {
        ByteBuffer data = ByteBuffer.wrap("123456789".getBytes());
        // The CRC-32C check value of "123456789" (RFC 3720, appendix B.4).
        assertThat(Frame.crc(data)).isEqualTo(0xe3069283);
        assertThat(data.position()).isZero();
        assertThat(Frame.crc(ByteBuffer.wrap("1234".getBytes()), ByteBuffer.wrap("56789".getBytes())))
                .isEqualTo(0xe3069283);
    }
}
