package dev.prescient.csi.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescient.engine.heat.HeatSnapshot;
import dev.prescient.engine.heat.HeatTracker;
import dev.prescient.engine.heat.IoOp;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class EngineHealthTest {

    @Test
    void reportsTheWindowNotTheLifetime() {
        AtomicLong clock = new AtomicLong();
        HeatTracker engine = new HeatTracker(64 << 20, 1 << 20, 30, clock::get);
        EngineHealth health = new EngineHealth(Duration.ofSeconds(10));
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
        EngineHealth health = new EngineHealth(Duration.ofSeconds(2));
        Map<String, String> tierOf = Map.of("r-fast", "nvme", "r-slow", "hdd");
        for (int i = 0; i < 100; i++) {
            fast.onMediaIo(IoOp.READ, 100_000, 0);
            slow.onMediaIo(IoOp.READ, 6_000_000, 0);
        }
        var first = health.reports(Map.of("r-fast", withTime(fast.snapshot(), 0), "r-slow",
                withTime(slow.snapshot(), 0)), tierOf);
        assertThat(first.byGroup().get("nvme").readP99Micros()).isEqualTo(96.0);
        assertThat(first.byGroup().get("hdd").readP99Micros()).isEqualTo(6144.0);
        // Next interval only the fast tier reads: the slow tier reports nothing rather than its past.
        fast.onMediaIo(IoOp.READ, 100_000, 0);
        var second = health.reports(Map.of("r-fast", withTime(fast.snapshot(), 2000), "r-slow",
                withTime(slow.snapshot(), 2000)), tierOf);
        assertThat(second.byGroup().get("nvme").readP99Micros()).isEqualTo(96.0);
        assertThat(second.byGroup().get("hdd").readP99Micros()).isZero();
    }

    @Test
    void twoCallersSeeTheSameWindow() {
        // The failure predictor and the planner both ask; each must see all the window's I/O, not half of it.
        AtomicLong clock = new AtomicLong();
        HeatTracker engine = new HeatTracker(64 << 20, 1 << 20, 30, clock::get);
        EngineHealth health = new EngineHealth(Duration.ofSeconds(4));
        health.report(Map.of("r1", withTime(engine.snapshot(), 0)));
        for (int t = 1; t <= 8; t++) {
            // One slow read per second; the engine rewrites its snapshot every second.
            engine.onMediaIo(IoOp.READ, 20_000_000, 0);
            HeatSnapshot s = withTime(engine.snapshot(), t * 1000L);
            EngineHealth.Report planner = health.report(Map.of("r1", s));
            EngineHealth.Report predictor = health.report(Map.of("r1", s));
            assertThat(predictor).as("second: %d", t).isEqualTo(planner);
            assertThat(predictor.readP99Micros()).isEqualTo(24576.0);
        }
        // Then the disk goes quiet: the slow reads leave the report once the window has passed them.
        for (int t = 9; t <= 11; t++) {
            HeatSnapshot s = withTime(engine.snapshot(), t * 1000L);
            assertThat(health.report(Map.of("r1", s)).readP99Micros()).as("second %d", t).isEqualTo(24576.0);
        }
        assertThat(health.report(Map.of("r1", withTime(engine.snapshot(), 12_000))).readP99Micros()).isZero();
    }

    @Test
    void errorRateIsOverTheWindow() {
        AtomicLong clock = new AtomicLong();
        HeatTracker engine = new HeatTracker(64 << 20, 1 << 20, 30, clock::get);
        EngineHealth health = new EngineHealth(Duration.ofSeconds(5));
        health.report(Map.of("r1", withTime(engine.snapshot(), 0)));
        EngineHealth.Report r = null;
        for (int t = 1; t <= 10; t++) {
            engine.onMediaIo(IoOp.READ, 100_000, 5); // two failed requests a second (EIO)
            engine.onMediaIo(IoOp.READ, 100_000, 5);
            r = health.report(Map.of("r1", withTime(engine.snapshot(), t * 1000L)));
        }
        assertThat(r.errorsPerSecond()).isEqualTo(2.0);
        assertThat(r.errorsTotal()).isEqualTo(20);
    }

    @Test
    void aBrieflyUnreadableReplicaKeepsItsBaselineAndAStuckOneReportsNothing() {
        AtomicLong clock = new AtomicLong();
        HeatTracker a = new HeatTracker(64 << 20, 1 << 20, 30, clock::get);
        HeatTracker b = new HeatTracker(64 << 20, 1 << 20, 30, clock::get);
        EngineHealth health = new EngineHealth(Duration.ofSeconds(3));
        for (int i = 0; i < 100; i++) {
            a.onMediaIo(IoOp.READ, 20_000_000, 0); // a's slow past, before the first look
        }
        health.report(Map.of("a", withTime(a.snapshot(), 0), "b", withTime(b.snapshot(), 0)));
        a.onMediaIo(IoOp.READ, 100_000, 0);
        // a's heat file was being replaced at this look: only b is reported.
        health.report(Map.of("b", withTime(b.snapshot(), 1000)));
        EngineHealth.Report back = health.report(Map.of("a", withTime(a.snapshot(), 2000), "b",
                withTime(b.snapshot(), 2000)));
        assertThat(back.readP99Micros()).as("a's slow past is not counted again").isEqualTo(96.0);
        // a's engine stops rewriting its snapshot while b's goes on: a has no I/O in the window.
        HeatSnapshot frozen = withTime(a.snapshot(), 2000);
        b.onMediaIo(IoOp.READ, 40_000, 0);
        EngineHealth.Report later = health.report(Map.of("a", frozen, "b", withTime(b.snapshot(), 9000)));
        assertThat(later.readP99Micros()).isEqualTo(48.0);
    }

    @Test
    void aWindowMustBePositive() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new EngineHealth(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positive");
    }
}
