package dev.prescient.predict.failure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class FailureCodecTest {

    @Test
    void predictorRoundTripsExactlyAndKeepsLearning() throws Exception {
        FeatureSchema schema = new FeatureSchema(SyntheticDrives.COLUMNS);
        SyntheticDrives d = new SyntheticDrives(1500, 0.05, 0.1, 8);
        GradientBoostedTrees.Params params = new GradientBoostedTrees.Params(30, 3, 0.1, 1, 0.05, 32, 0.8);
        FailurePredictor p = FailurePredictor.train(schema, d.rows, d.labels, 2, params, 3);
        byte[] bytes = FailureCodec.toBytes(p);
        FailurePredictor r = FailureCodec.predictorFromBytes(bytes);
        for (double[] row : d.rows) {
            // Leaves are floats in the state: equal to float precision.
            assertThat(r.score(row)).isCloseTo(p.score(row), org.assertj.core.api.Assertions.within(1e-6));
        }
        assertThat(r.schema().columns()).isEqualTo(schema.columns());
        double[] row = {0, 1000, 70, 0, 100};
        for (FailurePredictor m : new FailurePredictor[] {p, r}) {
            for (int i = 0; i < 50; i++) {
                m.observe(row, true);
            }
            m.update();
        }
        assertThat(r.score(row)).isCloseTo(p.score(row), org.assertj.core.api.Assertions.within(1e-5));
        assertThat(bytes.length).isLessThan(200_000);
    }

    @Test
    void thresholdAndHealthTrackerRoundTrip() throws Exception {
        AdaptiveThreshold t = new AdaptiveThreshold(AdaptiveThreshold.Config.defaults());
        t.onFailure(1000);
        AdaptiveThreshold rt = FailureCodec.thresholdFromBytes(FailureCodec.toBytes(t));
        assertThat(rt.current(5000)).isEqualTo(t.current(5000));

        HealthSignalTracker h = new HealthSignalTracker(32);
        for (int i = 0; i < 40; i++) {
            h.observe(i);
        }
        HealthSignalTracker rh = FailureCodec.healthFromBytes(FailureCodec.toBytes(h));
        assertThat(rh.zScore(50)).isEqualTo(h.zScore(50));
        rh.observe(100);
        h.observe(100);
        assertThat(rh.zScore(50)).isEqualTo(h.zScore(50));
    }

    @Test
    void corruptStateIsRejectedWithAReason() {
        byte[] bytes = FailureCodec.toBytes(new AdaptiveThreshold(AdaptiveThreshold.Config.defaults()));
        byte[] bad = bytes.clone();
        bad[0] = 0;
        assertThatThrownBy(() -> FailureCodec.thresholdFromBytes(bad)).isInstanceOf(FailureModelException.class)
                .hasMessageContaining("magic");
        assertThatThrownBy(() -> FailureCodec.predictorFromBytes(bytes)).hasMessageContaining("kind");
        assertThatThrownBy(() -> FailureCodec.thresholdFromBytes(Arrays.copyOf(bytes, 20)))
                .hasMessageContaining("truncated");
    }
}
