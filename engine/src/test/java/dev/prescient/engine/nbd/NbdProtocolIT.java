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
        try (NbdClient c = NbdClient.connectRaw(sock)) {
            c.greeting();
            c.sendClientFlags(0x80);
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void badOptionMagicCloses() throws Exception {
        try (NbdClient c = NbdClient.connectRaw(sock)) {
            c.greeting();
            c.sendClientFlags(FLAG_FIXED_NEWSTYLE);
            c.write(ByteBuffer.allocate(16).putLong(0x1234).putInt(OPT_GO).putInt(0).flip());
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void hugeOptionLengthCloses() throws Exception {
        try (NbdClient c = NbdClient.connectRaw(sock)) {
            c.greeting();
            c.sendClientFlags(FLAG_FIXED_NEWSTYLE);
            c.write(ByteBuffer.allocate(16).putLong(IHAVEOPT).putInt(OPT_GO).putInt(0x40000000).flip());
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void unknownOptionsAreUnsupportedThenListAndGoWork() throws Exception {
        try (NbdClient c = NbdClient.connectRaw(sock)) {
            int hs = c.greeting();
            assertThat(hs & FLAG_FIXED_NEWSTYLE).isNotZero();
            c.sendClientFlags(FLAG_FIXED_NEWSTYLE | FLAG_NO_ZEROES);
            c.sendOption(99, ByteBuffer.wrap(new byte[]{1, 2, 3}));
            assertThat(c.readOptReply().type()).isEqualTo(REP_ERR_UNSUP);
            c.sendOption(OPT_STARTTLS, null);
            // A listener without TLS is unwilling, not ignorant: the spec's answer for that is ERR_POLICY.
            assertThat(c.readOptReply().type()).isEqualTo(REP_ERR_POLICY);
            c.sendOption(OPT_LIST, ByteBuffer.wrap(new byte[]{1}));
            assertThat(c.readOptReply().type()).isEqualTo(REP_ERR_INVALID);
            c.sendOption(OPT_LIST, null);
            NbdClient.OptReply r = c.readOptReply();
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
        try (NbdClient c = NbdClient.connectRaw(sock)) {
            c.greeting();
            c.sendClientFlags(FLAG_FIXED_NEWSTYLE);
            c.sendOption(OPT_EXPORT_NAME, ByteBuffer.wrap("nope".getBytes()));
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void exportNameWithZeroPadding() throws Exception {
        try (NbdClient c = NbdClient.connectRaw(sock)) {
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
        try (NbdClient c = NbdClient.connectRaw(sock)) {
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
        try (NbdClient c = NbdClient.connect(sock, "r0")) {
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
        try (NbdClient c = NbdClient.connect(sock, "r0")) {
            c.sendRequest(CMD_WRITE, 0, 1, 0, 0x7fffffffL, null);
            assertThat(c.closedByServer()).isTrue();
        }
        try (NbdClient c = NbdClient.connect(sock, "r0")) {
            c.write(ByteBuffer.allocate(28).putInt(0xdeadbeef).clear());
            assertThat(c.closedByServer()).isTrue();
        }
        assertThat(digest()).isEqualTo(before);
    }

    /** One hostile input: what it sends, and true when the server must close the connection. */
    interface Hostile {
        void send(NbdClient c) throws Exception;
    }

    static void optionHeader(NbdClient c, long magic, int opt, int len) throws Exception {
        c.greeting();
        c.sendClientFlags(FLAG_FIXED_NEWSTYLE | FLAG_NO_ZEROES);
        c.write(ByteBuffer.allocate(16).putLong(magic).putInt(opt).putInt(len).flip());
    }

    /**
     * The fuzz cases of issue 18 that end a connection: each closes only its own connection, a
     * client attached throughout keeps working, and no byte of the export changes.
     */
    @Test
    void hostileInputClosesOnlyItsConnectionAndChangesNothing() throws Exception {
        byte[] before = digest();
        java.util.Map<String, Hostile> cases = new java.util.LinkedHashMap<>();
        cases.put("bad option magic", c -> optionHeader(c, 0x4e42444d41474943L, OPT_GO, 0));
        cases.put("option length over 64 KiB", c -> optionHeader(c, IHAVEOPT, OPT_GO, (64 << 10) + 1));
        cases.put("option length 4 GiB-1", c -> optionHeader(c, IHAVEOPT, OPT_INFO, -1));
        cases.put("EXPORT_NAME of 20 KB", c -> {
            c.greeting();
            c.sendClientFlags(FLAG_FIXED_NEWSTYLE);
            c.sendOption(OPT_EXPORT_NAME, ByteBuffer.wrap("x".repeat(20_000).getBytes()));
        });
        cases.put("option data shorter than its length", c -> {
            optionHeader(c, IHAVEOPT, OPT_GO, 1000);
            c.write(ByteBuffer.allocate(10).putInt(2).put("r0".getBytes()).flip());
            c.channel().shutdownOutput();
        });
        cases.put("truncated client flags", c -> {
            c.greeting();
            c.write(ByteBuffer.allocate(2).flip());
            c.channel().shutdownOutput();
        });
        cases.put("truncated option header", c -> {
            c.greeting();
            c.sendClientFlags(FLAG_FIXED_NEWSTYLE);
            c.write(ByteBuffer.allocate(9).putLong(IHAVEOPT).put((byte) 0).flip());
            c.channel().shutdownOutput();
        });
        cases.put("bad request magic", c -> attach(c).write(ByteBuffer.allocate(28).putInt(0x25609514).clear()));
        cases.put("truncated request header", c -> {
            attach(c).write(ByteBuffer.allocate(20).putInt(REQUEST_MAGIC).putShort((short) 0)
                    .putShort((short) CMD_WRITE).putLong(7).putInt(0).clear());
            c.channel().shutdownOutput();
        });
        // Up to 1 MiB a write is all or nothing (larger ones are streamed: see NbdConnection#streamWrite).
        cases.put("write payload cut short", c -> {
            attach(c).sendRequest(CMD_WRITE, 0, 1, 0, 1 << 20, ByteBuffer.allocate((1 << 20) - 1));
            c.channel().shutdownOutput();
        });
        cases.put("write over the 32 MiB maximum", c -> attach(c).sendRequest(CMD_WRITE, 0, 1, 0, (32 << 20) + 1,
                null));
        try (NbdClient bystander = NbdClient.connect(sock, "r0")) {
            ByteBuffer expected = bystander.read(0, 65536);
            for (var e : cases.entrySet()) {
                try (NbdClient c = NbdClient.connectRaw(sock)) {
                    e.getValue().send(c);
                    assertThat(c.closedByServer()).as(e.getKey()).isTrue();
                }
                assertThat(bystander.read(0, 65536)).as("bystander after: " + e.getKey()).isEqualTo(expected);
            }
            // Cases answered with an error keep their connection, as does the bystander.
            try (NbdClient c = NbdClient.connectRaw(sock)) {
                c.greeting();
                c.sendClientFlags(FLAG_FIXED_NEWSTYLE | FLAG_NO_ZEROES);
                c.sendOption(OPT_INFO, goData("y".repeat(5000)));
                assertThat(c.readOptReply().type()).as("INFO with a 5000-byte name").isEqualTo(REP_ERR_INVALID);
                c.sendOption(OPT_GO, ByteBuffer.allocate(6).putInt(-1).putShort((short) 0).flip());
                assertThat(c.readOptReply().type()).as("name length 4 GiB-1").isEqualTo(REP_ERR_INVALID);
                c.sendOption(OPT_GO, goData("r0"));
                while (c.readOptReply().type() != REP_ACK) {
                    // INFO replies precede the ACK
                }
                assertThat(c.request(CMD_WRITE, 0, SIZE - 4096, 3 << 20, ByteBuffer.allocate(3 << 20)).error())
                        .as("streamed write out of range").isEqualTo(EINVAL);
                assertThat(c.request(CMD_READ, 0, -4096L, 4096, null).error()).as("negative offset")
                        .isEqualTo(EINVAL);
                assertThat(c.request(0x1234, 0, 0, 4096, null).error()).as("unknown command").isEqualTo(EINVAL);
                assertThat(c.read(0, 65536)).isEqualTo(expected);
            }
            assertThat(bystander.read(0, 65536)).isEqualTo(expected);
        }
        assertThat(digest()).isEqualTo(before);
    }

    static NbdClient attach(NbdClient c) throws Exception {
        c.greeting();
        c.sendClientFlags(FLAG_FIXED_NEWSTYLE | FLAG_NO_ZEROES);
        c.sendOption(OPT_GO, goData("r0"));
        while (c.readOptReply().type() != REP_ACK) {
            // INFO replies precede the ACK
        }
        return c;
    }

    @Test
    void largeWritesAndReadsAreStreamedIntact() throws Exception {
        byte[] d = new byte[(3 << 20) + 5];
        new Random(3).nextBytes(d);
        try (NbdClient c = NbdClient.connect(sock, "r0")) {
            assertThat(c.write(4095, ByteBuffer.wrap(d), true)).isZero();
            assertThat(c.read(4095, d.length)).isEqualTo(ByteBuffer.wrap(d));
            ByteBuffer all = c.read(0, (int) SIZE);
            assertThat(all.slice(4095, d.length)).isEqualTo(ByteBuffer.wrap(d));
        }
    }

    @Test
    void commandsWorkAcrossConnections() throws Exception {
        try (NbdClient a = NbdClient.connect(sock, "r0"); NbdClient b = NbdClient.connect(sock, "r0")) {
            assertThat(a.transmissionFlags() & (TF_SEND_FLUSH | TF_SEND_FUA | TF_SEND_TRIM | TF_SEND_WRITE_ZEROES))
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
