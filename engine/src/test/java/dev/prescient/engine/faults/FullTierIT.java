package dev.prescient.engine.faults;

import static dev.prescient.engine.nbd.NbdProtocol.ENOSPC;
import static org.assertj.core.api.Assertions.assertThat;

import dev.prescient.engine.nbd.NbdExport;
import dev.prescient.engine.nbd.NbdServer;
import dev.prescient.engine.nbd.NbdClient;
import dev.prescient.engine.nbd.Proc;
import dev.prescient.engine.store.LocalReplica;
import dev.prescient.engine.volume.ReplicaMode;
import dev.prescient.engine.volume.ReplicaSet;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A tier file system that fills up (a 6 MiB tmpfs): ENOSPC to the client, engine stays up. */
@Timeout(120)
class FullTierIT {
    @TempDir
    Path dir;

    @Test
    void fullTierGivesEnospcAndTheEngineKeepsServing() throws Exception {
        Path tier = Files.createDirectories(dir.resolve("tier"));
        Proc.ok("mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", tier.toString());
        try {
            long size = 32 << 20;
            LocalReplica rep = LocalReplica.create(tier, "r0", "vol", size, 65536);
            ReplicaSet set = new ReplicaSet("vol", size, 4096);
            set.addInSync("r0", rep, true);
            NbdServer server = new NbdServer(4);
            server.addExport(NbdExport.of("r0", set));
            Path sock = dir.resolve("s.sock");
            server.listenUnix(sock);
            byte[] first = new byte[1 << 20];
            new Random(3).nextBytes(first);
            int enospc = 0;
            try (NbdClient c = NbdClient.connect(sock, "r0")) {
                assertThat(c.write(0, ByteBuffer.wrap(first), true)).isZero();
                int i = 1;
                for (; i < 32; i++) {
                    int err = c.write((long) i << 20, ByteBuffer.wrap(first), false);
                    if (err == ENOSPC) {
                        enospc++;
                        break;
                    }
                    assertThat(err).isZero();
                }
                assertThat(enospc).as("ENOSPC before the 32 MiB volume filled a 6 MiB tier").isEqualTo(1);
                // still serving, still consistent, on this and on a new connection
                assertThat(c.read(0, 1 << 20)).isEqualTo(ByteBuffer.wrap(first));
                assertThat(c.write((long) (i + 1) << 20, ByteBuffer.wrap(first), false)).isEqualTo(ENOSPC);
            }
            assertThat(set.member("r0").mode()).isEqualTo(ReplicaMode.RW);
            try (NbdClient c = NbdClient.connect(sock, "r0")) {
                assertThat(c.read(0, 1 << 20)).isEqualTo(ByteBuffer.wrap(first));
                // overwriting already-allocated space still works on a full tier
                assertThat(c.write(0, ByteBuffer.wrap(new byte[4096]), true)).isZero();
            }
            server.close();
            set.close();
            rep.close();
        } finally {
            Proc.run("umount", "-l", tier.toString());
        }
    }
}
