package dev.prescient.csi.agent;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class TierProbeTest {

    @Test
    void everyTierIsProbedThroughItsMediaPathWhetherOrNotReplicasLiveThere(@TempDir Path dir) throws Exception {
        Path ssd = Files.createDirectories(dir.resolve("ssd"));
        Path hdd = Files.createDirectories(dir.resolve("hdd"));
        Path faults = dir.resolve("faults");
        AtomicLong now = new AtomicLong(0);
        // hdd answers 5 ms later per request (a read and a write per round), ssd as fast as the machine.
        TierProbe p = new TierProbe(Map.of("ssd", ssd, "hdd", hdd), Map.of("hdd", 5_000L), faults,
                Duration.ofSeconds(4), now::get);
        try (p) {
            for (int i = 0; i < 3; i++) {
                p.probeOnce();
                now.addAndGet(1_000);
            }
            assertThat(Files.size(hdd.resolve(TierProbe.FILE))).isEqualTo(TierProbe.FILE_BYTES);
            TierProbe.Report h = p.report("hdd");
            assertThat(h.rounds()).isEqualTo(3);
            assertThat(h.latencyMicros()).as("two requests at the tier's 5 ms").isGreaterThanOrEqualTo(10_000);
            assertThat(h.errorsPerSecond()).isZero();
            // The node's media slow down (the fault file every engine of the node watches): the probe sees it.
            Files.writeString(faults, "latency_us=50000\n");
            Thread.sleep(1_100); // the fault file is re-read at most once a second
            for (int i = 0; i < 4; i++) {
                p.probeOnce();
                now.addAndGet(1_000);
            }
            assertThat(p.report("ssd").latencyMicros()).isGreaterThanOrEqualTo(100_000);
            assertThat(p.report("hdd").latencyMicros()).isGreaterThanOrEqualTo(110_000);
            // Only the last window counts: the rounds before the slowdown have left it.
            assertThat(p.report("hdd").rounds()).isLessThanOrEqualTo(5);
            // Read errors are counted per second of the window, not hidden.
            Files.writeString(faults, "read_error_permille=1000\n");
            Thread.sleep(1_100);
            p.probeOnce();
            assertThat(p.report("ssd").errorsPerSecond()).isEqualTo(0.25);
            // Nothing to say about a tier never probed, or after a window without rounds.
            assertThat(p.report("nvme").rounds()).isZero();
            now.addAndGet(10_000);
            assertThat(p.report("ssd")).isEqualTo(new TierProbe.Report(0, 0, 0));
        }
    }

    @Test
    void aWindowMustBePositive(@TempDir Path dir) {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new TierProbe(Map.of("ssd", dir), Map.of(), null,
                Duration.ZERO, System::currentTimeMillis)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("window");
    }
}
