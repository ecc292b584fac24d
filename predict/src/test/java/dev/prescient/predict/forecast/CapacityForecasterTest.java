package dev.prescient.predict.forecast;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class CapacityForecasterTest {

    private static final VolumeForecaster.Config CFG = new VolumeForecaster.Config(0, 0, 48, 200, 0.9);

    private static double[] growing(int n, double perStep, long seed) {
        Random r = new Random(seed);
        double[] y = new double[n];
        double v = 100e9;
        for (int t = 0; t < n; t++) {
            v += perStep * (1 + 0.3 * r.nextGaussian());
            y[t] = v;
        }
        return y;
    }

    @Test
    void growingVolumeReportsOrderedCrossingTimesWithAProbability() {
        double[] y = growing(400, 1e9, 1);
        CapacityForecaster c = CapacityForecaster.train(y, CFG);
        double last = y[y.length - 1];
        // ~20 steps of growth left until the threshold.
        CapacityForecaster.Crossing x = c.timeUntil(last + 20e9, 200);
        assertThat(x.possible()).isTrue();
        assertThat(x.earliest()).isPositive().isLessThanOrEqualTo(x.expected());
        assertThat(x.expected()).isBetween(10, 40);
        assertThat(x.latest() < 0 || x.latest() >= x.expected()).isTrue();
        assertThat(x.probability()).isGreaterThan(0.5);
    }

    @Test
    void flatVolumeNeverCrossesAFarThreshold() {
        CapacityForecaster c = CapacityForecaster.train(SeriesFixtures.constant(300, 50e9), CFG);
        CapacityForecaster.Crossing x = c.timeUntil(100e9, 100);
        assertThat(x.possible()).isFalse();
        assertThat(x.expected()).isEqualTo(-1);
        assertThat(x.probability()).isLessThan(0.05);
    }

    @Test
    void emptyHistoryHasUnknownProbability() {
        CapacityForecaster c = CapacityForecaster.train(new double[0], CFG);
        CapacityForecaster.Crossing x = c.timeUntil(1, 10);
        assertThat(x.possible()).isFalse();
        assertThat(x.probability()).isNaN();
        c.observe(5);
        assertThat(c.timeUntil(1, 10).expected()).isEqualTo(1);
    }
}
