package dev.prescient.engine.heat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class HeatTrackerTest {
    @Test
    void countsDecayByHalfLifeAndConsumersAreSeparate() {
        AtomicLong now = new AtomicLong();
        HeatTracker h = new HeatTracker(10 << 20, 1 << 20, 60, now::get);
        for (int i = 0; i < 8; i++) {
            h.onIo("ns/pod-a", IoOp.READ, 3 << 20, 4096, 50_000, 0);
        }
        h.onIo("ns/pod-b", IoOp.WRITE, (1 << 20) - 10, 20, 2_000_000, 0); // spans extents 0 and 1
        h.onIo("ns/pod-b", IoOp.WRITE, 0, 4096, 1000, 28);
        // The medium's latency and errors come from below the replica set, not from the client's requests.
        for (int i = 0; i < 8; i++) {
            h.onMediaIo(IoOp.READ, 50_000, 0);
        }
        h.onMediaIo(IoOp.WRITE, 2_000_000, 0);
        h.onMediaIo(IoOp.WRITE, 1000, 28);
        HeatSnapshot s = h.snapshot();
        assertThat(s.extents()).containsExactly(0, 1, 3);
        assertThat(s.readHeat()[2]).isEqualTo(8f);
        assertThat(s.writeHeat()[0]).isEqualTo(1f);
        assertThat(s.consumers().get("ns/pod-a").ops()).isEqualTo(8);
        assertThat(s.consumers().get("ns/pod-b").bytes()).isEqualTo(20);
        assertThat(s.errors()).containsEntry(28, 1L);
        assertThat(s.latencyBuckets()[IoOp.READ.ordinal()][5]).isEqualTo(8); // 50 us in [32, 64)
        assertThat(s.latencyBuckets()[IoOp.WRITE.ordinal()][10]).isEqualTo(1); // 2 ms in [1024, 2048) us
        assertThat(s.consumers().get("ns/pod-b").writes()).isEqualTo(1);
        now.addAndGet(60_000_000_000L); // one half-life later
        HeatSnapshot later = h.snapshot();
        assertThat(later.readHeat()[2]).isCloseTo(4f, within(1e-4f));
        assertThat(later.consumers().get("ns/pod-a").ops()).isCloseTo(4, within(1e-9));
    }
}
