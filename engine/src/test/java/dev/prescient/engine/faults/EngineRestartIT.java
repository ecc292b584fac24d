package dev.prescient.engine.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescient.engine.nbd.NbdClient;
import dev.prescient.engine.store.ReplicaStore;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restarts of an engine process (the agent's JVM options) on a sparse 4 GiB replica: after
 * SIGTERM the metadata says clean and the next start scans nothing; after kill -9 the start scans
 * only the journal's open regions (a few of the 64) and every flushed write reads back.
 */
@Timeout(180)
class EngineRestartIT {
    static final long REGION = 64L << 20;
    static final Pattern OPENED = Pattern.compile("replica r0 opened scanned-regions=(\\d+) scanned-chunks=(\\d+) .*");
    @TempDir
    Path dir;

    EngineProcess start(Path sock) throws Exception {
        return EngineProcess.start(EngineProcess.AGENT_JVM, "--tier", "t=" + dir.resolve("tier"),
                "--replica", "r0:vol:t:4G", "--unix", sock.toString());
    }

    static long[] scanned(EngineProcess e) {
        String line = e.line("replica r0 opened");
        assertThat(line).as("open line in %s", e.output).isNotNull();
        Matcher m = OPENED.matcher(line);
        assertThat(m.matches()).as(line).isTrue();
        return new long[]{Long.parseLong(m.group(1)), Long.parseLong(m.group(2))};
    }

    static ByteBuffer block(long seed) {
        byte[] b = new byte[8192];
        new Random(seed).nextBytes(b);
        return ByteBuffer.wrap(b);
    }

    boolean clean() throws Exception {
        try (ReplicaStore s = new ReplicaStore(Map.of("t", dir.resolve("tier")))) {
            return s.list().get(0).clean();
        }
    }

    @Test
    void cleanStopThenNoScanKill9ThenBoundedScanAndFlushedWritesSurvive() throws Exception {
        Path sock = dir.resolve("e.sock");
        Map<Long, Long> expected = new LinkedHashMap<>();
        try (EngineProcess e = start(sock); NbdClient c = NbdClient.connect(sock, "r0")) {
            for (long i = 0; i < 64; i++) { // one block in every region, flushed at the end
                long off = i * REGION + 4096 * i;
                assertThat(c.write(off, block(i), false)).isZero();
                expected.put(off, i);
            }
            assertThat(c.flush()).isZero();
            c.close();
            assertThat(e.stop()).isNotEqualTo(137);
        }
        assertThat(clean()).as("clean marker after SIGTERM").isTrue();

        try (EngineProcess e = start(sock)) {
            assertThat(scanned(e)).as("scan after a clean stop").containsExactly(0, 0);
            try (NbdClient c = NbdClient.connect(sock, "r0")) {
                for (var x : expected.entrySet()) {
                    assertThat(c.read(x.getKey(), 8192)).isEqualTo(block(x.getValue()));
                }
                // Just before the kill: flushed writes into three regions, FUA into a fourth,
                // and an unflushed one (which may or may not survive).
                for (long g : new long[]{10, 20, 30}) {
                    long off = g * REGION + 1_000_000;
                    assertThat(c.write(off, block(100 + g), false)).isZero();
                    expected.put(off, 100 + g);
                }
                assertThat(c.flush()).isZero();
                assertThat(c.write(40 * REGION + 65536, block(140), true)).isZero();
                expected.put(40 * REGION + 65536, 140L);
                assertThat(c.write(50 * REGION, block(150), false)).isZero();
            }
            e.kill();
        }
        assertThat(clean()).isFalse();

        try (EngineProcess e = start(sock)) {
            long[] s = scanned(e);
            assertThat(s[0]).as("regions scanned after kill -9 (of 64)").isBetween(1L, 5L);
            assertThat(s[1]).isLessThanOrEqualTo(5L * 1024);
            try (NbdClient c = NbdClient.connect(sock, "r0")) {
                for (var x : expected.entrySet()) {
                    assertThat(c.read(x.getKey(), 8192)).as("flushed block at %d", x.getKey())
                            .isEqualTo(block(x.getValue()));
                }
            }
            e.stop();
        }
        assertThat(clean()).isTrue();
    }
}
