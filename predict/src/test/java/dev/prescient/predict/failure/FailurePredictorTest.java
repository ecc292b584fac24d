package dev.prescient.predict.failure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FailurePredictorTest {

    private static final GradientBoostedTrees.Params P = new GradientBoostedTrees.Params(40, 3, 0.1, 1, 0.05, 32,
            0.8);

    @Test
    void ranksFailingDrivesAboveHealthyOnesOnHeldOutDrivesWithGaps() {
        FeatureSchema schema = new FeatureSchema(SyntheticDrives.COLUMNS);
        SyntheticDrives train = new SyntheticDrives(4000, 0.03, 0.05, 1);
        SyntheticDrives test = new SyntheticDrives(2000, 0.03, 0.05, 2);
        FailurePredictor p = FailurePredictor.train(schema, train.rows, train.labels, 3, P, 7);
        double[] s = new double[test.rows.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = p.score(test.rows[i]);
        }
        assertThat(ClassifierMetrics.rocAuc(s, test.labels)).isGreaterThan(0.85);
    }

    @Test
    void predictionHasOrderedBoundsAndConfidence() {
        FeatureSchema schema = new FeatureSchema(SyntheticDrives.COLUMNS);
        SyntheticDrives d = new SyntheticDrives(3000, 0.05, 0.0, 3);
        FailurePredictor p = FailurePredictor.train(schema, d.rows, d.labels, 3, P, 7);
        FailurePrediction risky = p.predict(new double[] {500, 20000, 25, 30, 90});
        FailurePrediction fine = p.predict(new double[] {0, 20000, 25, 0, 100});
        assertThat(risky.probability()).isGreaterThan(0.5).isGreaterThan(fine.probability());
        assertThat(risky.lower()).isLessThanOrEqualTo(risky.probability());
        assertThat(risky.upper()).isGreaterThanOrEqualTo(risky.probability());
        assertThat(fine.confidence()).isBetween(0.0, 1.0);
        assertThat(fine.probability()).isLessThan(0.05);
    }

    @Test
    void allNaNRowIsScoredNotRejected() {
        FeatureSchema schema = new FeatureSchema(SyntheticDrives.COLUMNS);
        SyntheticDrives d = new SyntheticDrives(1000, 0.05, 0.2, 4);
        FailurePredictor p = FailurePredictor.train(schema, d.rows, d.labels, 2, P, 7);
        double[] nan = {Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN};
        assertThat(p.predict(nan).probability()).isBetween(0.0, 1.0);
    }

    @Test
    void emptyTrainingGivesAFlatPriorAndSingleSampleWorks() {
        FeatureSchema schema = new FeatureSchema(SyntheticDrives.COLUMNS);
        FailurePredictor empty = FailurePredictor.train(schema, new double[0][], new int[0], 2, P, 1);
        double a = empty.score(new double[] {0, 1, 2, 3, 4});
        double b = empty.score(new double[] {999, 1, 2, 999, 1});
        assertThat(a).isEqualTo(b).isLessThan(0.5);
        FailurePredictor one = FailurePredictor.train(schema, new double[][] {{1, 2, 3, 4, 100}}, new int[] {0}, 2,
                P, 1);
        assertThat(one.score(new double[] {1, 2, 3, 4, 100})).isLessThan(0.5);
    }

    @Test
    void onlineUpdateLearnsANewFailureMode() {
        FeatureSchema schema = new FeatureSchema(SyntheticDrives.COLUMNS);
        SyntheticDrives d = new SyntheticDrives(2000, 0.03, 0.0, 5);
        FailurePredictor p = FailurePredictor.train(schema, d.rows, d.labels, 2, P, 7);
        // A new failure mode: overheating drives (attribute 194) with clean sector counts.
        double[] hot = {0, 20000, 60, 0, 100};
        double before = p.score(hot);
        for (int i = 0; i < 200; i++) {
            p.observe(hot, true);
            p.observe(new double[] {0, 20000, 25, 0, 100}, false);
        }
        assertThat(p.buffered()).isEqualTo(400);
        p.update();
        assertThat(p.buffered()).isZero();
        assertThat(p.score(hot)).isGreaterThan(before + 0.2);
    }

    @Test
    void healthAnomalyRaisesTheProbability() {
        FailurePrediction base = FailurePrediction.of(new double[] {0.1, 0.2});
        FailurePrediction withHealth = base.withHealth(0.5);
        assertThat(withHealth.probability()).isGreaterThan(base.probability());
        assertThat(withHealth.probability()).isCloseTo(1 - 0.85 * 0.5, org.assertj.core.api.Assertions.within(1e-12));
        assertThat(base.withHealth(Double.NaN)).isEqualTo(base);
    }

    @Test
    void schemaRejectsForeignColumnsAndWrongRowWidth() {
        assertThatThrownBy(() -> new FeatureSchema(java.util.List.of("date"))).isInstanceOf(
                IllegalArgumentException.class);
        FeatureSchema s = new FeatureSchema(SyntheticDrives.COLUMNS);
        assertThatThrownBy(() -> s.features(new double[2])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void derivedFeaturesSumCriticalRawAndCountMissing() {
        FeatureSchema s = new FeatureSchema(SyntheticDrives.COLUMNS);
        double[] f = s.features(new double[] {3, Double.NaN, 30, 4, 97});
        assertThat(f[5]).isEqualTo(Math.log1p(7));
        assertThat(f[6]).isEqualTo(97);
        assertThat(f[7]).isEqualTo(1);
        assertThat(f[1]).isNaN();
        double[] allMissing = s.features(new double[] {Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN});
        assertThat(allMissing[5]).isNaN();
        assertThat(allMissing[7]).isEqualTo(5);
    }
}
