package dev.prescient.predict.tiering;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FrontierWeightTunerTest {
    private static final int N = 10;

    /** Tracked ids 0 and 1 (score 3), proposals ids 5 and 6 (expected 20): a tier of 2 pages. */
    private static double[] boundary(FrontierWeightTuner t) {
        double[] tracked = new double[N];
        tracked[0] = 3;
        tracked[1] = 3;
        double[] out = new double[N];
        t.boundary(tracked, new int[] {5, 6}, new double[] {20, 20}, 2, N, out);
        return out;
    }

    @Test
    void frontierThatIsNeverReadLosesItsWeight() {
        FrontierWeightTuner t = new FrontierWeightTuner(2, 2, N);
        assertThat(t.chosenWeight()).isEqualTo(1.0); // the calibrated value as it is, until measured
        boundary(t);
        for (int epoch = 0; epoch < 3; epoch++) {
            for (int i = 0; i < 50; i++) {
                t.access(i % 2); // the tracked pages are what gets read
            }
            double[] out = boundary(t);
            assertThat(t.chosenWeight()).isZero();
            assertThat(out[5]).isZero();
            assertThat(out[0]).isEqualTo(3.0);
        }
        assertThat(t.scores()[0]).isGreaterThan(0).isGreaterThan(t.scores()[3]);
    }

    @Test
    void frontierThatIsReadKeepsItsWeight() {
        FrontierWeightTuner t = new FrontierWeightTuner(2, 2, N);
        boundary(t);
        for (int epoch = 0; epoch < 3; epoch++) {
            for (int i = 0; i < 50; i++) {
                t.access(5 + i % 2);
            }
            double[] out = boundary(t);
            assertThat(t.chosenWeight()).isPositive();
            assertThat(out[5]).isGreaterThan(out[0]);
        }
        assertThat(t.scores()[0]).isZero();
    }

    @Test
    void oldEpochsFadeSoTheChoiceFollowsAChange() {
        FrontierWeightTuner t = new FrontierWeightTuner(2, 2, N, new double[] {0, 1}, 0.5);
        boundary(t);
        for (int epoch = 0; epoch < 5; epoch++) {
            for (int i = 0; i < 50; i++) {
                t.access(i % 2);
            }
            boundary(t);
        }
        assertThat(t.chosenWeight()).isZero();
        // the shadow of weight 1 has held the proposals all along; now they are what is read
        for (int epoch = 0; epoch < 3; epoch++) {
            for (int i = 0; i < 50; i++) {
                t.access(5 + i % 2);
            }
            boundary(t);
        }
        assertThat(t.chosenWeight()).isEqualTo(1.0);
    }

    @Test
    void rejectsBadSettings() {
        assertThatThrownBy(() -> new FrontierWeightTuner(0, 1, N)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FrontierWeightTuner(2, 1, N, new double[0], 0.9))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FrontierWeightTuner(2, 1, N, new double[] {-1}, 0.9))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FrontierWeightTuner(2, 1, N, new double[] {1}, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
