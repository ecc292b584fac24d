package dev.prescient.local.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The nbdkit wrapper the node processes find first on PATH makes an hdd export slower than an nvme one, and our NBD
 * client reads back what was written through it.
 */
class TierThrottleIT {
    static final Path ROOT = Path.of(System.getProperty("prescient.root", "..")).toAbsolutePath().normalize();

    @Test
    void hddExportsAnswerSlowerThanNvme(@TempDir Path dir) throws Exception {
        double nvme = meanReadMicros(dir, "nvme");
        double hdd = meanReadMicros(dir, "hdd");
        System.out.printf("mean 64 KiB read: nvme %.0f us, hdd %.0f us%n", nvme, hdd);
        assertThat(hdd).isGreaterThan(nvme + 4000);
    }

    static double meanReadMicros(Path dir, String tier) throws Exception {
        Path file = dir.resolve("tiers").resolve(tier).resolve("r.img");
        Files.createDirectories(file.getParent());
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(4 << 20);
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Process p = new ProcessBuilder(List.of(ROOT.resolve("local/bin/nbdkit").toString(), "-f", "-i", "127.0.0.1",
                "-p", Integer.toString(port), "file", "file=" + file)).redirectErrorStream(true)
                .redirectOutput(dir.resolve(tier + ".log").toFile()).start();
        try {
            NbdConnection c = null;
            for (int i = 0; i < 100 && c == null; i++) {
                try {
                    c = NbdConnection.open("nbd://127.0.0.1:" + port);
                } catch (java.io.IOException e) {
                    Thread.sleep(100);
                }
            }
            assertThat(c).as("nbdkit on " + tier + ": " + Files.readString(dir.resolve(tier + ".log"))).isNotNull();
            try (NbdConnection conn = c) {
                assertThat(conn.size()).isEqualTo(4 << 20);
                byte[] data = new byte[65536];
                new java.util.Random(7).nextBytes(data);
                conn.write(65536, data, true);
                conn.flush();
                byte[] back = new byte[65536];
                long t0 = System.nanoTime();
                for (int i = 0; i < 20; i++) {
                    conn.read(65536, back);
                }
                double mean = (System.nanoTime() - t0) / 1e3 / 20;
                assertThat(back).isEqualTo(data);
                return mean;
            }
        } finally {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
