package dev.prescient.engine.nbd;

import static dev.prescient.engine.nbd.NbdProtocol.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.prescient.engine.store.LocalReplica;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's limits over a real UNIX socket, with budgets small enough to hit: a request that
 * finds no buffer budget is answered ENOMEM and its connection goes on; stalled handshakes,
 * stalled payloads and untaken replies are closed by the watchdog; connections over the limit
 * are refused while the others keep working.
 */
@Timeout(120)
class NbdLimitsIT {
    static final long SIZE = 64 << 20;
    static final int MIB = 1 << 20;
    @TempDir
    Path dir;
    NbdServer server;
    LocalReplica replica;
    Path sock;

    void start(NbdLimits limits) throws Exception {
        replica = LocalReplica.create(dir, "r0", "v", SIZE, 65536);
        server = new NbdServer(4, limits);
        server.addExport(NbdExport.of("r0", replica));
        sock = dir.resolve("nbd.sock");
        server.listenUnix(sock);
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
            replica.close();
        }
    }

    static ByteBuffer pattern(int seed, int len) {
        byte[] b = new byte[len];
        new Random(seed).nextBytes(b);
        return ByteBuffer.wrap(b);
    }

    /** Waits for a condition the server reaches asynchronously (bounded by the test timeout). */
    static void await(BooleanSupplier condition) throws InterruptedException {
        while (!condition.getAsBoolean()) {
            Thread.sleep(20);
        }
    }

    /** Sends a WRITE header of {@code length} bytes and only {@code sent} bytes of its payload. */
    static NbdClient stalledWrite(Path sock, long length, int sent) throws Exception {
        NbdClient c = NbdClient.connect(sock, "r0");
        c.sendRequest(CMD_WRITE, 0, 99, 0, length, ByteBuffer.allocate(sent));
        return c;
    }

    @Test
    void requestWithoutBufferBudgetGetsEnomemAndOnlyThatRequestFails() throws Exception {
        // 3 MiB for everyone, 200 ms of patience: two stalled 32 MiB writes that sent a little
        // payload hold a 1 MiB piece each, plus three read-ahead buffers of 256 KiB.
        start(new NbdLimits(16, 3 * MIB, 8 * MIB, 200, 10_000, 60_000, 0));
        try (NbdClient victim = NbdClient.connect(sock, "r0")) {
            assertThat(victim.write(0, pattern(1, MIB), true)).isZero();
            List<NbdClient> attackers = new ArrayList<>();
            attackers.add(stalledWrite(sock, 32 * MIB, 1000));
            attackers.add(stalledWrite(sock, 32 * MIB, 1000));
            await(() -> server.bufferBytesInUse() >= 2 * MIB + 3 * (256 << 10));

            assertThat(victim.write(0, pattern(2, MIB), true)).as("1 MiB write without budget").isEqualTo(ENOMEM);
            assertThat(server.noMemoryReplies()).isEqualTo(1);
            // The same connection goes on: small requests fit, and the refused write changed nothing.
            assertThat(victim.write(2 * MIB, pattern(3, 4096), true)).isZero();
            assertThat(victim.read(2 * MIB, 4096)).isEqualTo(pattern(3, 4096));
            assertThat(victim.read(0, 65536)).isEqualTo(pattern(1, MIB).limit(65536));

            for (NbdClient a : attackers) {
                a.close();
            }
            await(() -> server.connectionCount() == 1);
            assertThat(victim.write(0, pattern(2, MIB), true)).isZero();
            assertThat(victim.read(0, MIB)).isEqualTo(pattern(2, MIB));
            // A 5 MiB write and read are streamed in pieces through the same small budget.
            assertThat(victim.write(8 * MIB, pattern(4, 5 * MIB + 7), true)).isZero();
            assertThat(victim.read(8 * MIB, 5 * MIB + 7)).isEqualTo(pattern(4, 5 * MIB + 7));
        }
        assertThat(server.bufferBytes()).isLessThanOrEqualTo(3 * MIB);
    }

    @Test
    void stalledHandshakesPayloadsAndRepliesAreClosedOthersKeepWorking() throws Exception {
        start(new NbdLimits(16, 64 * MIB, 8 * MIB, 1000, 500, 500, 0));
        try (NbdClient idle = NbdClient.connect(sock, "r0");
             NbdClient silent = NbdClient.connectRaw(sock);
             NbdClient halfHeader = NbdClient.connect(sock, "r0");
             NbdClient halfPayload = stalledWrite(sock, 4 * MIB, 100_000);
             NbdClient noReader = NbdClient.connect(sock, "r0")) {
            silent.greeting();
            halfHeader.write(ByteBuffer.allocate(10).putInt(REQUEST_MAGIC).flip());
            // 32 MiB of replies it never reads: more than any socket buffer holds.
            for (int i = 0; i < 4; i++) {
                noReader.sendRequest(CMD_READ, 0, i, 0, 8 * MIB, null);
            }
            assertThat(silent.closedByServer()).as("handshake timeout").isTrue();
            assertThat(halfHeader.closedByServer()).as("half a request header").isTrue();
            assertThat(halfPayload.closedByServer()).as("half a payload").isTrue();
            await(() -> server.timedOutConnections() >= 4); // the reply that nobody takes
            await(() -> server.connectionCount() == 1);
            // An attached client with nothing to do is not idle-closed by default.
            assertThat(idle.write(0, pattern(5, 8192), false)).isZero();
            assertThat(idle.read(0, 8192)).isEqualTo(pattern(5, 8192));
            assertThat(replica.nextAllocated(MIB)).as("the half payload wrote nothing").isEqualTo(-1);
        }
        await(() -> server.bufferBytesInUse() == 0);
    }

    @Test
    void idleTimeoutWhenConfigured() throws Exception {
        start(new NbdLimits(16, 64 * MIB, 8 * MIB, 1000, 10_000, 10_000, 300));
        try (NbdClient c = NbdClient.connect(sock, "r0")) {
            assertThat(c.write(0, pattern(6, 4096), false)).isZero();
            assertThat(c.closedByServer()).isTrue();
        }
        assertThat(server.timedOutConnections()).isEqualTo(1);
    }

    @Test
    void connectionsOverTheLimitAreRefusedAndServiceResumes() throws Exception {
        start(new NbdLimits(3, 64 * MIB, 8 * MIB, 1000, 60_000, 60_000, 0));
        NbdClient a = NbdClient.connect(sock, "r0");
        NbdClient b = NbdClient.connectRaw(sock);
        b.greeting();
        NbdClient c = NbdClient.connectRaw(sock);
        c.greeting();
        try (NbdClient refused = NbdClient.connectRaw(sock)) {
            assertThat(refused.closedByServer()).as("fourth connection, limit 3").isTrue();
        }
        assertThat(server.refusedConnections()).isEqualTo(1);
        assertThat(a.write(0, pattern(7, 4096), true)).isZero();
        b.close();
        c.close();
        await(() -> server.connectionCount() == 1);
        try (NbdClient d = NbdClient.connect(sock, "r0")) {
            assertThat(d.read(0, 4096)).isEqualTo(pattern(7, 4096));
        }
        a.close();
    }
}
