package dev.prescient.predict.failure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class GradientBoostedTreesTest {

    private static final GradientBoostedTrees.Params P = new GradientBoostedTrees.Params(40, 3, 0.2, 1, 0.01, 32, 1);

    @Test
    void learnsAThresholdAndRoutesMissingValuesToTheRiskySide() {
        // Failures: x > 5, or x missing. Healthy: x <= 5.
        int n = 600;
        double[][] x = new double[n][1];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            if (i % 6 == 0) {
                x[i][0] = Double.NaN;
                y[i] = 1;
            } else {
                x[i][0] = i % 10;
                y[i] = x[i][0] > 5 ? 1 : 0;
            }
        }
        GradientBoostedTrees m = GradientBoostedTrees.fit(x, y, P, 1);
        assertThat(m.probability(new double[] {9})).isGreaterThan(0.9);
        assertThat(m.probability(new double[] {1})).isLessThan(0.1);
        assertThat(m.probability(new double[] {Double.NaN})).isGreaterThan(0.9);
    }

    @Test
    void singleClassGivesAConstantModelNearTheSmoothedRate() {
        double[][] x = {{1}, {2}, {3}, {4}};
        GradientBoostedTrees m = GradientBoostedTrees.fit(x, new int[4], P, 1);
        assertThat(m.probability(new double[] {1})).isEqualTo(m.probability(new double[] {100})).isLessThan(0.2);
    }

    @Test
    void singleSampleAndConstantFeatureDoNotSplit() {
        GradientBoostedTrees one = GradientBoostedTrees.fit(new double[][] {{3}}, new int[] {1}, P, 1);
        assertThat(one.probability(new double[] {3})).isGreaterThan(0.5);
        double[][] x = {{7}, {7}, {7}, {7}};
        GradientBoostedTrees c = GradientBoostedTrees.fit(x, new int[] {0, 1, 0, 1}, P, 1);
        assertThat(c.probability(new double[] {7})).isCloseTo(0.5, within(0.1));
    }

    @Test
    void allMissingFeatureIsHarmless() {
        double[][] x = {{Double.NaN, 1}, {Double.NaN, 2}, {Double.NaN, 8}, {Double.NaN, 9}};
        GradientBoostedTrees m = GradientBoostedTrees.fit(x, new int[] {0, 0, 1, 1},
                new GradientBoostedTrees.Params(30, 2, 0.3, 0.1, 0, 8, 1), 1);
        assertThat(m.probability(new double[] {Double.NaN, 9})).isGreaterThan(m.probability(new double[] {0, 1}));
    }

    @Test
    void binsPutNaNInBinZeroAndOrderValues() {
        double[] cuts = {1, 2, 3};
        assertThat(GradientBoostedTrees.binOf(cuts, Double.NaN)).isZero();
        assertThat(GradientBoostedTrees.binOf(cuts, 0.5)).isEqualTo(1);
        assertThat(GradientBoostedTrees.binOf(cuts, 2)).isEqualTo(2);
        assertThat(GradientBoostedTrees.binOf(cuts, 99)).isEqualTo(4);
    }

    @Test
    void boostingMoreOnNewDataShiftsTowardsIt() {
        double[][] x = {{0}, {1}, {2}, {3}};
        GradientBoostedTrees m = GradientBoostedTrees.fit(x, new int[] {0, 0, 0, 0}, P, 1);
        double before = m.probability(new double[] {3});
        m.boost(new double[][] {{3}, {3}, {0}}, new int[] {1, 1, 0}, P, 2);
        assertThat(m.probability(new double[] {3})).isGreaterThan(before + 0.3);
        assertThat(m.trees()).isEqualTo(80);
    }

    @Test
    void rejectsEmptyTrainingAndWrongWidth() {
        assertThatThrownBy(() -> GradientBoostedTrees.fit(new double[0][], new int[0], P, 1))
                .isInstanceOf(IllegalArgumentException.class);
        GradientBoostedTrees m = GradientBoostedTrees.fit(new double[][] {{1, 2}}, new int[] {0}, P, 1);
        assertThatThrownBy(() -> m.boost(new double[][] {{1}}, new int[] {0}, P, 1))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
