package dev.prescient.predict.failure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ClassifierMetricsTest {

    @Test
    void aucOfPerfectInvertedAndTiedScores() {
        int[] y = {0, 0, 1, 1};
        assertThat(ClassifierMetrics.rocAuc(new double[] {1, 2, 3, 4}, y)).isEqualTo(1.0);
        assertThat(ClassifierMetrics.rocAuc(new double[] {4, 3, 2, 1}, y)).isEqualTo(0.0);
        assertThat(ClassifierMetrics.rocAuc(new double[] {1, 1, 1, 1}, y)).isEqualTo(0.5);
        assertThat(ClassifierMetrics.rocAuc(new double[] {1, 3, 2, 4}, y)).isCloseTo(0.75, within(1e-12));
        assertThat(ClassifierMetrics.rocAuc(new double[] {1, 2}, new int[] {0, 0})).isNaN();
    }

    @Test
    void recallAtFprCountsOnlyStrictlyHigherThanTheAllowedNegatives() {
        // 100 negatives scored 0..99, positives at 98.5 and 50.
        double[] s = new double[102];
        int[] y = new int[102];
        for (int i = 0; i < 100; i++) {
            s[i] = i;
        }
        s[100] = 98.5;
        s[101] = 50;
        y[100] = 1;
        y[101] = 1;
        // 1% of 100 negatives = 1 allowed false positive (score 99): threshold 98.
        assertThat(ClassifierMetrics.recallAtFpr(s, y, 0.01)).isEqualTo(0.5);
        assertThat(ClassifierMetrics.recallAtFpr(s, y, 0.6)).isEqualTo(1.0);
        assertThat(ClassifierMetrics.recallAtFpr(s, y, 0.0)).isEqualTo(0.0);
    }

    @Test
    void bootstrapIntervalBracketsTheAuc() {
        java.util.Random r = new java.util.Random(2);
        int n = 400;
        double[] s = new double[n];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 10 == 0 ? 1 : 0;
            s[i] = r.nextGaussian() + (y[i] == 1 ? 1.5 : 0);
        }
        double auc = ClassifierMetrics.rocAuc(s, y);
        double[] ci = ClassifierMetrics.rocAucInterval(s, y, 300, 0.95, 1);
        assertThat(ci[0]).isLessThan(auc).isGreaterThan(auc - 0.15);
        assertThat(ci[1]).isGreaterThan(auc).isLessThan(auc + 0.15);
        assertThat(ClassifierMetrics.rocAucInterval(s, new int[n], 10, 0.95, 1)).containsOnly(Double.NaN);
    }

    @Test
    void ruleFprAndRecall() {
        double[] fr = ClassifierMetrics.fprAndRecall(new boolean[] {true, false, true, false},
                new int[] {1, 1, 0, 0});
        assertThat(fr).containsExactly(0.5, 0.5);
    }

    @Test
    void thresholdChosenOnTrainingScoresIsAppliedUnchangedToTest() {
        // training negatives 0.1..1.0, one of ten may pass: alert strictly above 0.9
        double[] train = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 0.95};
        int[] ytrain = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
        double thr = ClassifierMetrics.thresholdAtFpr(train, ytrain, 0.1);
        assertThat(thr).isEqualTo(0.9);
        // test scores drift upward: the fixed threshold lets 3 of 4 negatives through, and that is what is reported
        double[] test = {0.92, 0.93, 0.94, 0.5, 0.99, 0.85};
        int[] ytest = {0, 0, 0, 0, 1, 1};
        double[] fr = ClassifierMetrics.fprAndRecall(test, ytest, thr);
        assertThat(fr[0]).isEqualTo(0.75);
        assertThat(fr[1]).isEqualTo(0.5);
    }
}
