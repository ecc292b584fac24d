package dev.prescient.predict.failure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PeerSignalsTest {

    @Test
    void thePeersMedianLeavesTheDeviceItselfOut() {
        PeerSignals p = new PeerSignals(6_000);
        p.report("hdd", "a", 10, 1_000);
        p.report("hdd", "b", 30, 1_500);
        p.report("hdd", "c", 400, 2_000);
        assertThat(p.peerMedian("hdd", "c", 2_000)).isEqualTo(20);
        assertThat(p.peerMedian("hdd", "a", 2_000)).isEqualTo(215);
        // Other groups (tiers) are not peers.
        assertThat(p.peerMedian("nvme", "c", 2_000)).isNaN();
    }

    @Test
    void onlyRecentReportsAreTheSameMoment() {
        PeerSignals p = new PeerSignals(6_000);
        p.report("hdd", "a", 10, 0);
        p.report("hdd", "b", 50, 5_000);
        assertThat(p.peerMedian("hdd", "c", 6_000)).isEqualTo(30);
        assertThat(p.peerMedian("hdd", "c", 8_000)).as("a's report is 8 s old").isEqualTo(50);
        assertThat(p.peerMedian("hdd", "c", 20_000)).isNaN();
        // A report from "the future" of the caller's clock (skew between callers) is not used either.
        assertThat(p.peerMedian("hdd", "c", 4_000)).isEqualTo(10);
    }

    @Test
    void aPeerWithoutIoIsNoReference() {
        PeerSignals p = new PeerSignals(6_000);
        p.report("hdd", "a", 0, 0);
        p.report("hdd", "b", Double.NaN, 0);
        assertThat(p.peerMedian("hdd", "c", 0)).isNaN();
        assertThatThrownBy(() -> new PeerSignals(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
