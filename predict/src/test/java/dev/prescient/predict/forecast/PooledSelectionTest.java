package dev.prescient.predict.forecast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Pooled selection across series ({@link VolumeForecaster#trainPooled}) and online re-selection. */
class PooledSelectionTest {

    private static final VolumeForecaster.Config CFG = VolumeForecaster.Config.halfHourly();
    private static final VolumeForecaster.Kind LOAD = VolumeForecaster.Kind.LOAD;

    @Test
    void fullOwnWeightGivesExactlyTheSoloForecasters() {
        List<double[]> hs = List.of(SeriesFixtures.seasonal(200, 48, 0.2, 1), SeriesFixtures.seasonal(250, 48, 0.4, 2),
                SeriesFixtures.constant(180, 5));
        List<VolumeForecaster> pooled = VolumeForecaster.trainPooled(hs, CFG, LOAD, 1.0);
        assertThat(pooled).hasSize(3);
        for (int i = 0; i < hs.size(); i++) {
            VolumeForecaster solo = VolumeForecaster.train(hs.get(i), CFG);
            assertThat(pooled.get(i).modelName()).isEqualTo(solo.modelName());
            assertThat(pooled.get(i).forecast(48).point()).containsExactly(solo.forecast(48).point());
            assertThat(pooled.get(i).forecast(48).upper()).containsExactly(solo.forecast(48).upper());
        }
    }

    /** Daily cycle; days listed in {@code quiet} are a flat tenth of the level (a weekend). */
    private static double[] days(int n, long seed, int... quiet) {
        Random r = new Random(seed);
        double[] y = new double[n];
        for (int t = 0; t < n; t++) {
            int day = t / 48;
            boolean calm = Arrays.stream(quiet).anyMatch(d -> d == day);
            double level = calm ? 0.1 : 1 + 0.9 * Math.sin(2 * Math.PI * t / 48);
            y[t] = 1e9 * level * Math.exp(0.1 * r.nextGaussian());
        }
        return y;
    }

    /** Mean absolute 6 h-ahead error over y[from..] with the forecaster fed as it goes. */
    private static double sixHourMae(VolumeForecaster v, double[] y, int from) {
        double sum = 0;
        int n = 0;
        for (int t = from; t < y.length; t++) {
            if (t + 11 < y.length) {
                sum += Math.abs(y[t + 11] - v.forecast(12).point(12));
                n++;
            }
            v.observe(y[t]);
        }
        return sum / n;
    }

    @Test
    void groupEvidenceOutweighsAValidationWindowThatHeldAWeekend() {
        int hist = 48 * 5;
        // The target's validation half (days 2.5-5) holds a two-day weekend; its group's does not.
        double[] target = days(hist + 96, 7, 3, 4);
        List<double[]> hs = new ArrayList<>();
        hs.add(Arrays.copyOf(target, hist));
        for (int s = 0; s < 4; s++) {
            hs.add(Arrays.copyOf(days(hist, 100 + s), hist));
        }
        VolumeForecaster solo = VolumeForecaster.train(hs.get(0), CFG);
        VolumeForecaster pooled = VolumeForecaster.trainPooled(hs, CFG, LOAD, 0.5).get(0);
        double soloErr = sixHourMae(solo, target, hist);
        double pooledErr = sixHourMae(pooled, target, hist);
        assertThat(pooledErr).isLessThan(0.8 * soloErr);
    }

    @Test
    void selectionFollowsTheSeriesOnlineWhenItTurnsSeasonal() {
        Random r = new Random(5);
        int hist = 48 * 4;
        double[] y = new double[hist + 48 * 6];
        for (int t = 0; t < y.length; t++) {
            // Flat noisy level in the history, then a strong daily cycle.
            double level = t < hist ? 1 : 1 + 0.9 * Math.sin(2 * Math.PI * t / 48);
            y[t] = 1e9 * level * Math.exp(0.1 * r.nextGaussian());
        }
        VolumeForecaster v = VolumeForecaster.train(Arrays.copyOf(y, hist), CFG);
        String before = v.modelName();
        for (int t = 0; t < y.length - 48; t++) {
            v.observe(y[t]);
        }
        String after = v.modelName();
        assertThat(before).doesNotContain("snaive-48");
        assertThat(after).contains("snaive-48");
        double err = sixHourMae(v, y, y.length - 48);
        double naiveErr = 0;
        int n = 0;
        for (int t = y.length - 48; t + 11 < y.length; t++) {
            naiveErr += Math.abs(y[t + 11] - y[t - 1]);
            n++;
        }
        assertThat(err).isLessThan(0.5 * naiveErr / n);
    }

    @Test
    void degenerateHistoriesInAGroupDoNotDisturbEachOther() {
        List<double[]> hs = List.of(new double[0], new double[] {42}, SeriesFixtures.constant(200, 1234),
                SeriesFixtures.seasonal(200, 48, 0.2, 3));
        List<VolumeForecaster> vs = VolumeForecaster.trainPooled(hs, CFG, LOAD, 0.5);
        assertThat(vs.get(0).forecast(1).point(1)).isNaN();
        assertThat(vs.get(1).forecast(4).point()).containsOnly(42.0);
        Forecast c = vs.get(2).forecast(48);
        for (int h = 1; h <= 48; h++) {
            assertThat(c.point(h)).isCloseTo(1234, within(1e-6));
            assertThat(c.upper(h)).isCloseTo(1234, within(1e-6));
        }
        assertThat(vs.get(3).modelName())
                .isEqualTo(VolumeForecaster.trainPooled(hs.subList(3, 4), CFG, LOAD, 0.5).get(0).modelName());
        assertThat(VolumeForecaster.trainPooled(List.of(), CFG, LOAD, 0.5)).isEmpty();
    }

    @Test
    void ownWeightOutsideTheUnitIntervalIsRejected() {
        List<double[]> hs = List.of(SeriesFixtures.constant(10, 1));
        assertThatThrownBy(() -> VolumeForecaster.trainPooled(hs, CFG, LOAD, 1.5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ownWeight");
        assertThatThrownBy(() -> VolumeForecaster.trainPooled(hs, CFG, LOAD, Double.NaN))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
