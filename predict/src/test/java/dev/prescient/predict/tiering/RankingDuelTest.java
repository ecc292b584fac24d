package dev.prescient.predict.tiering;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RankingDuelTest {
    private static final int N = 10;

    /** Candidate 0 ranks ids 0 and 1 first, candidate 1 ranks ids 5 and 6 first; a tier of 2. */
    private static double[][] candidates() {
        double[] a = new double[N];
        a[0] = 3;
        a[1] = 3;
        a[5] = 1;
        double[] b = new double[N];
        b[5] = 2;
        b[6] = 2;
        b[0] = 1;
        return new double[][] {a, b};
    }

    @Test
    void followsTheRankingWhoseShadowServedMore() {
        RankingDuel d = new RankingDuel(2, 2, 2, N, 0.9);
        assertThat(d.chosen()).isZero();
        d.boundary(candidates(), N);
        for (int epoch = 0; epoch < 3; epoch++) {
            for (int i = 0; i < 40; i++) {
                d.access(5 + i % 2);
            }
            assertThat(d.boundary(candidates(), N)).isEqualTo(1);
        }
        assertThat(d.scores()[0]).isZero();
        assertThat(d.scores()[1]).isGreaterThan(100);
    }

    @Test
    void keepsTheFirstRankingOnATie() {
        RankingDuel d = new RankingDuel(2, 2, 2, N, 0.9);
        d.boundary(candidates(), N);
        for (int i = 0; i < 40; i++) {
            d.access(9); // in neither shadow
        }
        assertThat(d.boundary(candidates(), N)).isZero();
    }

    @Test
    void oldEpochsFadeSoTheChoiceFollowsAChange() {
        RankingDuel d = new RankingDuel(2, 2, 2, N, 0.5);
        d.boundary(candidates(), N);
        for (int epoch = 0; epoch < 4; epoch++) {
            for (int i = 0; i < 40; i++) {
                d.access(i % 2);
            }
            assertThat(d.boundary(candidates(), N)).isZero();
        }
        int chosen = 0;
        for (int epoch = 0; epoch < 4; epoch++) {
            for (int i = 0; i < 40; i++) {
                d.access(5 + i % 2);
            }
            chosen = d.boundary(candidates(), N);
        }
        assertThat(chosen).isEqualTo(1);
    }

    @Test
    void rejectsBadSettingsAndInput() {
        assertThatThrownBy(() -> new RankingDuel(0, 2, 2, N, 0.9)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RankingDuel(2, 2, 2, N, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RankingDuel(2, 2, 2, N, 1.5)).isInstanceOf(IllegalArgumentException.class);
        RankingDuel d = new RankingDuel(2, 2, 2, N, 0.9);
        assertThatThrownBy(() -> d.boundary(new double[][] {new double[N]}, N))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected 2 candidates");
        d.access(-1); // an id outside the universe is no hit and no error
        d.access(N + 5);
        assertThat(d.scores()).containsExactly(0.0, 0.0);
    }
}
