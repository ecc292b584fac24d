package dev.prescient.engine.nbd;

import static dev.prescient.engine.nbd.NbdProtocol.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.prescient.engine.store.LocalReplica;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Malformed and edge-case traffic over a real UNIX socket: errors or a closed connection, no changed byte. */
@Timeout(60)
class NbdProtocolIT {
    static final long SIZE = 4 << 20;
    @TempDir
    Path dir;
    Path sock;
    NbdServer server;
    LocalReplica replica;

    @BeforeEach
    void start() throws Exception {
        replica = LocalReplica.create(dir, "r0", "v", SIZE, 65536);
        byte[] b = new byte[(int) SIZE];
        new Random(1).nextBytes(b);
        replica.write(0, ByteBuffer.wrap(b), true);
        server = new NbdServer(4);
        server.addExport(NbdExport.of("r0", replica));
        sock = dir.resolve("nbd.sock");
        server.listenUnix(sock);
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        replica.close();
    }

    byte[] digest() throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(dir.resolve("r0.img")));
    }

    static ByteBuffer goData(String name) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(6 + n.length).putInt(n.length).put(n).putShort((short) 0).flip();
    }

    @Test
    void unknownClientFlagsCloseTheConnection() throws Exception {
        try (NbdTestClient c = NbdTestClient.connectRaw(sock)) {
            c.greeting();
            c.sendClientFlags(0x80);
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void badOptionMagicCloses() throws Exception {
        try (NbdTestClient c = NbdTestClient.connectRaw(sock)) {
            c.greeting();
            c.sendClientFlags(FLAG_FIXED_NEWSTYLE);
            c.write(ByteBuffer.allocate(16).putLong(0x1234).putInt(OPT_GO).putInt(0).flip());
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void hugeOptionLengthCloses() throws Exception {
        try (NbdTestClient c = NbdTestClient.connectRaw(sock)) {
            c.greeting();
            c.sendClientFlags(FLAG_FIXED_NEWSTYLE);
            c.write(ByteBuffer.allocate(16).putLong(IHAVEOPT).putInt(OPT_GO).putInt(0x40000000).flip());
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void unknownOptionsAreUnsupportedThenListAndGoWork() throws Exception {
        try (NbdTestClient c = NbdTestClient.connectRaw(sock)) {
            int hs = c.greeting();
            assertThat(hs & FLAG_FIXED_NEWSTYLE).isNotZero();
            c.sendClientFlags(FLAG_FIXED_NEWSTYLE | FLAG_NO_ZEROES);
            c.sendOption(99, ByteBuffer.wrap(new byte[]{1, 2, 3}));
            assertThat(c.readOptReply().type()).isEqualTo(REP_ERR_UNSUP);
            c.sendOption(OPT_STARTTLS, null);
            assertThat(c.readOptReply().type()).isEqualTo(REP_ERR_UNSUP);
            c.sendOption(OPT_LIST, ByteBuffer.wrap(new byte[]{1}));
            assertThat(c.readOptReply().type()).isEqualTo(REP_ERR_INVALID);
            c.sendOption(OPT_LIST, null);
            NbdTestClient.OptReply r = c.readOptReply();
            assertThat(r.type()).isEqualTo(REP_SERVER);
            assertThat(r.data().getInt()).isEqualTo(2);
            assertThat(c.readOptReply().type()).isEqualTo(REP_ACK);
            c.sendOption(OPT_GO, goData("nope"));
            assertThat(c.readOptReply().type()).isEqualTo(REP_ERR_UNKNOWN);
            c.sendOption(OPT_INFO, ByteBuffer.allocate(8).putInt(1000).putInt(0).flip());
            assertThat(c.readOptReply().type()).isEqualTo(REP_ERR_INVALID);
            c.sendOption(OPT_INFO, goData("r0"));
            r = c.readOptReply();
            assertThat(r.type()).isEqualTo(REP_INFO);
            assertThat(r.data().getShort(0)).isEqualTo((short) INFO_EXPORT);
            assertThat(r.data().getLong(2)).isEqualTo(SIZE);
            assertThat(c.readOptReply().type()).isEqualTo(REP_ACK);
            c.sendOption(OPT_GO, goData("r0"));
            while (c.readOptReply().type() != REP_ACK) {
                // INFO replies precede the ACK
            }
            assertThat(c.read(0, 16).remaining()).isEqualTo(16);
        }
    }

    @Test
    void exportNameForUnknownExportCloses() throws Exception {
        try (NbdTestClient c = NbdTestClient.connectRaw(sock)) {
            c.greeting();
            c.sendClientFlags(FLAG_FIXED_NEWSTYLE);
            c.sendOption(OPT_EXPORT_NAME, ByteBuffer.wrap("nope".getBytes()));
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void exportNameWithZeroPadding() throws Exception {
        try (NbdTestClient c = NbdTestClient.connectRaw(sock)) {
            c.greeting();
            c.sendClientFlags(FLAG_FIXED_NEWSTYLE);
            c.sendOption(OPT_EXPORT_NAME, ByteBuffer.wrap("r0".getBytes()));
            ByteBuffer r = c.readN(134);
            assertThat(r.getLong()).isEqualTo(SIZE);
            assertThat(r.getShort() & TF_CAN_MULTI_CONN).isNotZero();
            assertThat(c.read(SIZE - 10, 10).remaining()).isEqualTo(10);
        }
    }

    @Test
    void abortIsAcknowledgedAndCloses() throws Exception {
        try (NbdTestClient c = NbdTestClient.connectRaw(sock)) {
            c.greeting();
            c.sendClientFlags(FLAG_FIXED_NEWSTYLE);
            c.sendOption(OPT_ABORT, null);
            assertThat(c.readOptReply().type()).isEqualTo(REP_ACK);
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void badRequestsGetErrorsAndChangeNothing() throws Exception {
        byte[] before = digest();
        try (NbdTestClient c = NbdTestClient.connect(sock, "r0")) {
            ByteBuffer junk = ByteBuffer.allocate(8192);
            assertThat(c.write(SIZE - 4096, junk, false)).isEqualTo(EINVAL);
            assertThat(c.request(CMD_WRITE, 0, Long.MAX_VALUE - 10, 8192, junk).error()).isEqualTo(EINVAL);
            assertThat(c.request(CMD_READ, 0, SIZE, 1, null).error()).isEqualTo(EINVAL);
            assertThat(c.request(CMD_READ, 0, 0, 64 << 20, null).error()).isEqualTo(EINVAL);
            assertThat(c.request(CMD_TRIM, 0, SIZE - 1, 2, null).error()).isEqualTo(EINVAL);
            assertThat(c.request(CMD_WRITE_ZEROES, 0, 0, SIZE + 1, null).error()).isEqualTo(EINVAL);
            assertThat(c.request(77, 0, 0, 0, null).error()).isEqualTo(EINVAL);
            assertThat(c.request(CMD_WRITE, 0x40, 0, 8192, junk).error()).isEqualTo(EINVAL);
            assertThat(c.request(CMD_TRIM, CMD_FLAG_NO_HOLE, 0, 4096, null).error()).isEqualTo(EINVAL);
            assertThat(c.flush()).isZero();
            // framing is still intact after all of those
            assertThat(c.read(0, 4).remaining()).isEqualTo(4);
        }
        try (NbdTestClient c = NbdTestClient.connect(sock, "r0")) {
            c.sendRequest(CMD_WRITE, 0, 1, 0, 0x7fffffffL, null);
            assertThat(c.closedByServer()).isTrue();
        }
        try (NbdTestClient c = NbdTestClient.connect(sock, "r0")) {
            c.write(ByteBuffer.allocate(28).putInt(0xdeadbeef).clear());
            assertThat(c.closedByServer()).isTrue();
        }
        assertThat(digest()).isEqualTo(before);
    }

    @Test
    void commandsWorkAcrossConnections() throws Exception {
        try (NbdTestClient a = NbdTestClient.connect(sock, "r0"); NbdTestClient b = NbdTestClient.connect(sock, "r0")) {
            assertThat(a.transmissionFlags & (TF_SEND_FLUSH | TF_SEND_FUA | TF_SEND_TRIM | TF_SEND_WRITE_ZEROES))
                    .isEqualTo(TF_SEND_FLUSH | TF_SEND_FUA | TF_SEND_TRIM | TF_SEND_WRITE_ZEROES);
            byte[] d = new byte[65536];
            new Random(9).nextBytes(d);
            assertThat(a.write(65536, ByteBuffer.wrap(d), true)).isZero();
            assertThat(b.flush()).isZero();
            assertThat(b.read(65536, 65536)).isEqualTo(ByteBuffer.wrap(d));
            assertThat(a.request(CMD_TRIM, 0, 65536, 4096, null).error()).isZero();
            assertThat(a.request(CMD_WRITE_ZEROES, CMD_FLAG_NO_HOLE | CMD_FLAG_FUA, 69632, 4096, null).error()).isZero();
            ByteBuffer r = b.read(65536, 3 * 4096);
            assertThat(LocalReplicaZero.isZero(r, 0, 8192)).isTrue();
            assertThat(r.get(8192)).isEqualTo(d[8192]);
            assertThat(a.request(CMD_READ, 0, 0, 0, null).error()).isZero();
            a.disconnect();
            assertThat(a.closedByServer()).isTrue();
        }
    }

    static final class LocalReplicaZero {
        static boolean isZero(ByteBuffer b, int from, int to) {
            for (int i = from; i < to; i++) {
                if (b.get(i) != 0) {
                    return false;
                }
            }
            return true;
        }
    }
}
