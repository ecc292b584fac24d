package dev.prescient.csi.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescient.engine.heat.HeatSnapshot;
import dev.prescient.engine.heat.HeatTracker;
import dev.prescient.engine.heat.IoOp;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class EngineHealthTest {

    @Test
    void reportsTheIntervalNotTheLifetime() {
        AtomicLong clock = new AtomicLong();
        HeatTracker engine = new HeatTracker(64 << 20, 1 << 20, 30, clock::get);
        EngineHealth health = new EngineHealth();
        // A healthy minute: 1000 reads at ~100 us, 200 writes at ~40 us.
        for (int i = 0; i < 1000; i++) {
            engine.onMediaIo(IoOp.READ, 100_000, 0);
        }
        for (int i = 0; i < 200; i++) {
            engine.onMediaIo(IoOp.WRITE, 40_000, 0);
        }
        EngineHealth.Report first = health.report(Map.of("r1", withTime(engine.snapshot(), 0)));
        assertThat(first.readP99Micros()).isEqualTo(96.0); // bucket [64, 128) us
        assertThat(first.writeP99Micros()).isEqualTo(48.0); // bucket [32, 64) us
        assertThat(first.errorsTotal()).isZero();

        // Then the disk degrades: reads take 20 ms and 30 of them fail within 10 s.
        for (int i = 0; i < 200; i++) {
            engine.onMediaIo(IoOp.READ, 20_000_000, i < 30 ? 5 : 0);
        }
        EngineHealth.Report second = health.report(Map.of("r1", withTime(engine.snapshot(), 10_000)));
        assertThat(second.readP99Micros()).as("only this interval's reads count").isEqualTo(24576.0);
        assertThat(second.writeP99Micros()).isZero();
        assertThat(second.errorsPerSecond()).isEqualTo(3.0);
        assertThat(second.errorsTotal()).isEqualTo(30);

        // The engine restarts (counters start again): its first snapshot counts whole, not negative.
        HeatTracker restarted = new HeatTracker(64 << 20, 1 << 20, 30, clock::get);
        restarted.onMediaIo(IoOp.READ, 100_000, 0);
        EngineHealth.Report third = health.report(Map.of("r1", withTime(restarted.snapshot(), 20_000)));
        assertThat(third.readP99Micros()).isEqualTo(96.0);
        assertThat(third.errorsPerSecond()).isZero();
    }

    @Test
    void p99OfNothingIsZero() {
        assertThat(EngineHealth.p99(new long[32])).isZero();
    }

    private static HeatSnapshot withTime(HeatSnapshot s, long millis) {
        return new HeatSnapshot(millis, s.extentSize(), s.halfLifeSeconds(), s.extents(), s.readHeat(), s.writeHeat(),
                s.consumers(), s.latencyBuckets(), s.errors());
    }

    @Test
    void perTierReportsKeepEachTiersOwnHistory() {
        AtomicLong clock = new AtomicLong();
        HeatTracker fast = new HeatTracker(64 << 20, 1 << 20, 30, clock::get);
        HeatTracker slow = new HeatTracker(64 << 20, 1 << 20, 30, clock::get);
        EngineHealth health = new EngineHealth();
        Map<String, String> tierOf = Map.of("r-fast", "nvme", "r-slow", "hdd");
        for (int i = 0; i < 100; i++) {
            fast.onMediaIo(IoOp.READ, 100_000, 0);
            slow.onMediaIo(IoOp.READ, 6_000_000, 0);
        }
        var first = health.reportBy(Map.of("r-fast", withTime(fast.snapshot(), 0), "r-slow",
                withTime(slow.snapshot(), 0)), tierOf);
        assertThat(first.get("nvme").readP99Micros()).isEqualTo(96.0);
        assertThat(first.get("hdd").readP99Micros()).isEqualTo(6144.0);
        // Next interval only the fast tier reads: the slow tier reports nothing rather than its past.
        fast.onMediaIo(IoOp.READ, 100_000, 0);
        var second = health.reportBy(Map.of("r-fast", withTime(fast.snapshot(), 2000), "r-slow",
                withTime(slow.snapshot(), 2000)), tierOf);
        assertThat(second.get("nvme").readP99Micros()).isEqualTo(96.0);
        assertThat(second.get("hdd").readP99Micros()).isZero();
    }
}
