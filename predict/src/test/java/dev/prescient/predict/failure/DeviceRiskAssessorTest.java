package dev.prescient.predict.failure;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DeviceRiskAssessorTest {

    private static final long HOUR = 3600_000L;

    private static DeviceRiskAssessor withoutSmart() {
        return new DeviceRiskAssessor(null, new HealthSignalTracker(64), new HealthSignalTracker(64),
                new AdaptiveThreshold(AdaptiveThreshold.Config.defaults()));
    }

    @Test
    void noHistoryAndNoSmartMeansNoAlertAndSaysSo() {
        DeviceRiskAssessor a = withoutSmart();
        DeviceRiskAssessor.Assessment r = a.assess(null, Double.NaN, Double.NaN, 0);
        assertThat(r.alert()).isFalse();
        assertThat(r.prediction().probability()).isZero();
        assertThat(r.reasons()).containsExactly(DeviceRiskAssessor.Reason.NO_SIGNALS);
    }

    @Test
    void latencyAnomalyAgainstOwnHistoryRaisesAnAlert() {
        DeviceRiskAssessor a = withoutSmart();
        for (int i = 0; i < 50; i++) {
            DeviceRiskAssessor.Assessment r = a.assess(null, 2.0 + (i % 5) * 0.1, 0.0, i * HOUR);
            assertThat(r.alert()).isFalse();
        }
        // A few slow reports are a busy moment, not a failing disk; five in a row are.
        for (int i = 0; i < 4; i++) {
            assertThat(a.assess(null, 40.0, 0.0, (51 + i) * HOUR).alert()).as("slow report %d", i + 1).isFalse();
        }
        DeviceRiskAssessor.Assessment lasting = a.assess(null, 40.0, 0.0, 55 * HOUR);
        assertThat(lasting.latencyZ()).isGreaterThan(10);
        assertThat(lasting.alert()).isTrue();
        assertThat(lasting.reasons()).contains(DeviceRiskAssessor.Reason.LATENCY_ANOMALY);
    }

    @Test
    void smartRiskAndFeedbackMoveTheThreshold() {
        FeatureSchema schema = new FeatureSchema(SyntheticDrives.COLUMNS);
        SyntheticDrives d = new SyntheticDrives(3000, 0.05, 0.0, 9);
        FailurePredictor p = FailurePredictor.train(schema, d.rows, d.labels, 2,
                new GradientBoostedTrees.Params(40, 3, 0.1, 1, 0.05, 32, 0.8), 1);
        DeviceRiskAssessor a = new DeviceRiskAssessor(p, new HealthSignalTracker(64), new HealthSignalTracker(64),
                new AdaptiveThreshold(AdaptiveThreshold.Config.defaults()));
        double[] bad = {500, 20000, 25, 30, 90};
        DeviceRiskAssessor.Assessment r = a.assess(bad, Double.NaN, Double.NaN, 0);
        assertThat(r.alert()).isTrue();
        assertThat(r.reasons()).contains(DeviceRiskAssessor.Reason.SMART_RISK);
        double before = a.threshold().current(0);
        a.onFalseAlarm(bad, 0);
        assertThat(a.threshold().current(0)).isGreaterThan(before);
        a.onFailure(bad, 0);
        a.onFailure(bad, 0);
        assertThat(a.threshold().current(0)).isLessThan(before);
        assertThat(p.buffered()).isEqualTo(3);
    }
}
