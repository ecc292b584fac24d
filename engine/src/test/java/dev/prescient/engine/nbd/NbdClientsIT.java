package dev.prescient.engine.nbd;

import static dev.prescient.engine.nbd.Proc.ok;
import static org.assertj.core.api.Assertions.assertThat;

import dev.prescient.engine.store.LocalReplica;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interoperability with NBD clients none of us wrote: libnbd's nbdinfo/nbdcopy/nbdfuse and
 * QEMU's qemu-io/qemu-img, plus a real ext4 file system over nbdfuse and a loop device.
 */
@Timeout(180)
class NbdClientsIT {
    static final long SIZE = 64 << 20;
    @TempDir
    Path dir;
    NbdServer server;
    LocalReplica replica;
    Path sock;
    String uri;

    @BeforeEach
    void start() throws Exception {
        replica = LocalReplica.create(dir, "r0", "v", SIZE, 65536);
        server = new NbdServer(8);
        server.addExport(NbdExport.of("r0", replica));
        sock = dir.resolve("nbd.sock");
        server.listenUnix(sock);
        uri = "nbd+unix:///r0?socket=" + sock;
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        replica.close();
    }

    @Test
    void nbdinfoSeesSizeAndFlags() throws Exception {
        String out = ok("nbdinfo", uri);
        assertThat(out).contains("export-size: " + SIZE).contains("can_flush: true").contains("can_fua: true")
                .contains("can_trim: true").contains("can_zero: true").contains("can_multi_conn: true")
                .contains("is_read_only: false");
        assertThat(ok("nbdinfo", "--list", "nbd+unix:///?socket=" + sock)).contains("export=\"r0\"");
        assertThat(ok("nbdinfo", "--size", "nbd+unix:///?socket=" + sock).trim()).isEqualTo(String.valueOf(SIZE));
    }

    @Test
    void tcpListenerServesTheSameExport() throws Exception {
        InetSocketAddress a = server.listenTcp(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        assertThat(ok("nbdinfo", "--size", "nbd://127.0.0.1:" + a.getPort() + "/r0").trim())
                .isEqualTo(String.valueOf(SIZE));
        ok("qemu-io", "-f", "raw", "-c", "write -P 0x5a 1M 64k", "nbd://127.0.0.1:" + a.getPort() + "/r0");
        assertThat(ok("qemu-io", "-f", "raw", "-c", "read -P 0x5a 1M 64k", uri)).doesNotContain("failed");
    }

    @Test
    void qemuIoPatternsFuaZeroAndDiscard() throws Exception {
        String out = ok("qemu-io", "-f", "raw", "-t", "none",
                "-c", "write -P 0xab 0 1M", "-c", "write -f -P 0xcd 1M 4k", "-c", "write -z 2M 1M",
                "-c", "discard 4M 64k", "-c", "flush",
                "-c", "read -P 0xab 0 1M", "-c", "read -P 0xcd 1M 4k", "-c", "read -P 0 2M 1M",
                "-c", "read -P 0 4M 64k", uri);
        assertThat(out).doesNotContain("failed").doesNotContain("error").contains("read 65536/65536");
        // A pattern mismatch must be detected by the same tool, or the check above proves nothing.
        assertThat(Proc.run("qemu-io", "-f", "raw", "-c", "read -P 0x11 0 4k", uri).output())
                .contains("Pattern verification failed");
    }

    @Test
    void nbdcopyAndQemuImgRoundTrip() throws Exception {
        byte[] data = new byte[(int) SIZE];
        Random rnd = new Random(42);
        for (int off = 0; off < data.length; off += 1 << 20) {
            if (rnd.nextBoolean()) { // half the image stays zero, so sparseness paths are exercised
                byte[] chunk = new byte[1 << 20];
                rnd.nextBytes(chunk);
                System.arraycopy(chunk, 0, data, off, chunk.length);
            }
        }
        Path src = dir.resolve("src.img");
        Files.write(src, data);
        ok("nbdcopy", "--connections=4", src.toString(), uri);
        Path back = dir.resolve("back.img");
        ok("nbdcopy", uri, back.toString());
        assertThat(Arrays.equals(Files.readAllBytes(back), data)).isTrue();
        ok("qemu-img", "compare", "-f", "raw", "-F", "raw", src.toString(), uri);
        Path q = dir.resolve("q.qcow2");
        ok("qemu-img", "convert", "-f", "raw", "-O", "qcow2", uri, q.toString());
        ok("qemu-img", "compare", "-f", "qcow2", "-F", "raw", q.toString(), src.toString());
    }

    @Test
    void ext4OverNbdfuseAndLoopSurvivesRemount() throws Exception {
        Path fuse = Files.createDirectories(dir.resolve("fuse"));
        Path mnt = Files.createDirectories(dir.resolve("mnt"));
        Process nbdfuse = new ProcessBuilder("nbdfuse", fuse.resolve("disk").toString(), uri)
                .redirectErrorStream(true).redirectOutput(dir.resolve("nbdfuse.log").toFile()).start();
        String loop = null;
        try {
            Path disk = fuse.resolve("disk");
            for (int i = 0; i < 100 && !Files.exists(disk); i++) {
                Thread.sleep(50);
            }
            assertThat(Files.size(disk)).isEqualTo(SIZE);
            loop = ok("losetup", "-f", "--show", disk.toString()).trim();
            ok("mkfs.ext4", "-q", "-F", loop);
            ok("mount", loop, mnt.toString());
            byte[] big = new byte[3 << 20];
            new Random(5).nextBytes(big);
            Files.write(mnt.resolve("big.bin"), big);
            Files.writeString(mnt.resolve("hello.txt"), "hello prescient");
            ok("umount", mnt.toString());
            ok("mount", loop, mnt.toString());
            assertThat(Files.readString(mnt.resolve("hello.txt"))).isEqualTo("hello prescient");
            assertThat(Arrays.equals(Files.readAllBytes(mnt.resolve("big.bin")), big)).isTrue();
            ok("umount", mnt.toString());
            ok("e2fsck", "-f", "-n", loop);
        } finally {
            Proc.run("umount", mnt.toString());
            if (loop != null) {
                Proc.run("losetup", "-d", loop);
            }
            Proc.run("umount", fuse.toString());
            if (!nbdfuse.waitFor(10, TimeUnit.SECONDS)) {
                nbdfuse.destroyForcibly();
            }
        }
    }
}
