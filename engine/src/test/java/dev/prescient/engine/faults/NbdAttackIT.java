package dev.prescient.engine.faults;

import static dev.prescient.engine.nbd.NbdProtocol.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.prescient.engine.nbd.NbdClient;
import dev.prescient.engine.nbd.Proc;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18's attack on an engine process run as the node agent runs it ({@code -Xmx192m
 * -XX:+ExitOnOutOfMemoryError}): forty unauthenticated connections that send 32 MiB WRITE
 * headers and stall the payload (some after 900 KiB of it), ask for 32 MiB READs and never take
 * the reply, or never finish the handshake; then more connections than the limit. A client
 * attached before the attack keeps full service (every write read back) during and after it,
 * real NBD clients (qemu-io, nbdcopy) work once the attackers are gone, and the volume holds
 * exactly what was written.
 */
@Timeout(300)
class NbdAttackIT {
    static final int MIB = 1 << 20;
    static final int SIZE = 128 * MIB;
    @TempDir
    Path dir;

    final byte[] model = new byte[SIZE];

    void write(NbdClient c, long offset, byte[] data, boolean fua) throws Exception {
        assertThat(c.write(offset, ByteBuffer.wrap(data), fua)).as("write at %d", offset).isZero();
        System.arraycopy(data, 0, model, (int) offset, data.length);
    }

    void verify(NbdClient c, long offset, int length) throws Exception {
        ByteBuffer got = c.read(offset, length);
        assertThat(got).as("read at %d+%d", offset, length).isEqualTo(ByteBuffer.wrap(model, (int) offset, length));
    }

    /** Full service: a streamed 32 MiB write, small random writes, a flush, everything read back. */
    void serve(NbdClient c, Random rnd) throws Exception {
        byte[] big = new byte[32 * MIB];
        rnd.nextBytes(big);
        long at = (long) rnd.nextInt(SIZE / MIB - 32) * MIB;
        write(c, at, big, true);
        verify(c, at, big.length);
        for (int i = 0; i < 64; i++) {
            byte[] small = new byte[4096];
            rnd.nextBytes(small);
            long off = (long) rnd.nextInt(SIZE / 4096) * 4096;
            write(c, off, small, false);
            verify(c, off, 4096);
        }
        assertThat(c.flush()).isZero();
    }

    @Test
    void attackersCannotExhaustMemoryAndALegitimateClientKeepsFullService() throws Exception {
        Path sock = dir.resolve("e.sock");
        List<String> jvm = new ArrayList<>(EngineProcess.AGENT_JVM);
        jvm.addAll(List.of("-Dnbd.maxConnections=48", "-Dnbd.stallMillis=20000", "-Dnbd.handshakeMillis=20000"));
        String uri = "nbd+unix:///r0?socket=" + sock;
        try (EngineProcess engine = EngineProcess.start(jvm, "--tier", "t=" + dir.resolve("tier"),
                "--replica", "r0:vol:t:128M", "--unix", sock.toString())) {
            Random rnd = new Random(18);
            NbdClient legit = NbdClient.connect(sock, "r0");
            serve(legit, rnd);

            List<NbdClient> attackers = new ArrayList<>();
            for (int i = 0; i < 20; i++) { // header only: the old server allocated 32 MiB for each
                NbdClient a = NbdClient.connect(sock, "r0");
                a.sendRequest(CMD_WRITE, 0, 1, 0, 32L * MIB, null);
                attackers.add(a);
            }
            for (int i = 0; i < 10; i++) { // some payload, then silence
                NbdClient a = NbdClient.connect(sock, "r0");
                a.sendRequest(CMD_WRITE, 0, 1, 0, 32L * MIB, ByteBuffer.allocate(900 << 10));
                attackers.add(a);
            }
            for (int i = 0; i < 5; i++) { // replies nobody takes
                NbdClient a = NbdClient.connect(sock, "r0");
                a.sendRequest(CMD_READ, 0, 1, 0, 32L * MIB, null);
                a.sendRequest(CMD_READ, 0, 2, 32L * MIB, 32L * MIB, null);
                attackers.add(a);
            }
            for (int i = 0; i < 5; i++) { // never finish the handshake
                NbdClient a = NbdClient.connectRaw(sock);
                a.greeting();
                attackers.add(a);
            }

            // During the attack: the attached client and a newly attached one get full service.
            for (int round = 0; round < 3; round++) {
                serve(legit, rnd);
            }
            try (NbdClient late = NbdClient.connect(sock, "r0")) {
                serve(late, rnd);
            }
            Proc.ok("qemu-io", "-f", "raw", "-c", "write -P 0x5a 120M 1M", "-c", "read -P 0x5a 120M 1M", uri);
            Arrays.fill(model, 120 * MIB, 121 * MIB, (byte) 0x5a);

            // Beyond the connection limit: refused at once (no greeting), the attached client unharmed.
            int refused = 0;
            List<NbdClient> extra = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                NbdClient x = NbdClient.connectRaw(sock);
                extra.add(x);
                try {
                    x.greeting();
                } catch (java.io.EOFException e) {
                    refused++;
                }
            }
            assertThat(refused).as("connections over the limit of 48").isPositive();
            serve(legit, rnd);
            for (NbdClient x : extra) {
                x.close();
            }

            // The attackers leave: half hang up, the watchdog closes the other half.
            for (int i = 0; i < attackers.size(); i += 2) {
                attackers.get(i).close();
            }
            for (int i = 1; i < attackers.size(); i += 2) {
                NbdClient a = attackers.get(i);
                if (i < 30 || i >= 35) { // READ attackers: replies arrive before the close, skip them
                    assertThat(a.closedByServer()).as("stalled connection %d closed by the engine", i).isTrue();
                }
                a.close();
            }

            // After: full service, new connections from real clients, exactly the data written.
            serve(legit, rnd);
            assertThat(engine.process.isAlive()).isTrue();
            Proc.ok("qemu-io", "-f", "raw", "-c", "write -P 0xa5 121M 64k", "-c", "read -P 0xa5 121M 64k", uri);
            Arrays.fill(model, 121 * MIB, 121 * MIB + 65536, (byte) 0xa5);
            Path copy = dir.resolve("copy.img");
            Proc.ok("nbdcopy", uri, copy.toString());
            assertThat(Arrays.equals(Files.readAllBytes(copy), model)).as("volume content after the attack").isTrue();
            legit.close();
        }
    }
}
