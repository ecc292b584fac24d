package dev.prescient.local.score;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ReversalsTest {

    static final java.util.Map<String, Integer> RANK = java.util.Map.of("nvme", 0, "ssd", 1, "hdd", 2);

    private static Reversals.Move m(String v, String from, String to, double at) {
        return new Reversals.Move(v, from, to, at);
    }

    @Test
    void aDemotionUndoneWithinTheWindowIsOneReversal() {
        var r = Reversals.of(List.of(m("archive", "node-c/ssd", "node-c/hdd", 13),
                m("archive", "node-c/hdd", "node-c/ssd", 27)), 60, RANK);
        assertThat(r).hasSize(1);
        assertThat(r.get(0).describe()).contains("archive", "at 13.0s", "at 27.0s");
    }

    @Test
    void aMoveBackAfterTheWindowOrOnwardIsNot() {
        assertThat(Reversals.of(List.of(m("a", "n/ssd", "n/hdd", 10), m("a", "n/hdd", "n/ssd", 80)), 60, RANK)).isEmpty();
        // Onward promotions (hdd -> ssd -> nvme) and a move to a third place are not reversals.
        assertThat(Reversals.of(List.of(m("a", "n/hdd", "n/ssd", 10), m("a", "n/ssd", "n/nvme", 20),
                m("a", "n/nvme", "m/nvme", 30)), 60, RANK)).isEmpty();
    }

    @Test
    void aDemotionFollowedByAnyPromotionIsAReversalButOnwardMovesAreNot() {
        // Issue 19: every new volume demoted ssd -> hdd, then promoted hdd -> nvme or hdd -> ssd seconds later.
        assertThat(Reversals.of(List.of(m("a", "n/ssd", "n/hdd", 13), m("a", "n/hdd", "n/nvme", 27)), 60, RANK))
                .hasSize(1);
        // A tier the ranks do not know counts only when the volume returns exactly.
        assertThat(Reversals.of(List.of(m("a", "n/ssd", "n/tape", 13), m("a", "n/tape", "n/hdd", 27)), 60, RANK))
                .isEmpty();
    }

    @Test
    void aTierChangeUndoneOnAnotherNodeCountsAndVolumesAreApart() {
        var r = Reversals.of(List.of(m("a", "n/ssd", "n/hdd", 10), m("b", "n/hdd", "n/ssd", 12),
                m("a", "n/hdd", "m/ssd", 20)), 60, RANK);
        assertThat(r).extracting(x -> x.back().volume()).containsExactly("a");
        // A node move that kept the tier, then another node move on that tier: not a reversal.
        assertThat(Reversals.of(List.of(m("a", "n/ssd", "m/ssd", 10), m("a", "m/ssd", "o/ssd", 20)), 60, RANK)).isEmpty();
    }
}
