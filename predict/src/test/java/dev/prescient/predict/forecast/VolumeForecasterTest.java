package dev.prescient.predict.forecast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class VolumeForecasterTest {

    private static final VolumeForecaster.Config CFG = VolumeForecaster.Config.halfHourly();

    @Test
    void emptyHistoryGivesNaNForecastsThatBecomeDefinedWithData() {
        VolumeForecaster v = VolumeForecaster.train(new double[0], CFG);
        Forecast f = v.forecast(3);
        assertThat(f.point()).containsOnly(Double.NaN);
        assertThat(f.lower()).containsOnly(Double.NaN);
        v.observe(42);
        assertThat(v.forecast(1).point(1)).isEqualTo(42);
        assertThat(v.modelName()).isEqualTo("naive");
    }

    @Test
    void singleSampleForecastsItWithUndefinedInterval() {
        VolumeForecaster v = VolumeForecaster.train(new double[] {5e9}, CFG);
        Forecast f = v.forecast(48);
        assertThat(f.point()).containsOnly(5e9);
        assertThat(f.upper(1)).isNaN();
    }

    @Test
    void constantSeriesHasZeroWidthIntervalsAroundTheConstant() {
        VolumeForecaster v = VolumeForecaster.train(SeriesFixtures.constant(300, 1234.0), CFG);
        Forecast f = v.forecast(48);
        for (int h = 1; h <= 48; h++) {
            assertThat(f.point(h)).isCloseTo(1234.0, within(1e-6));
            assertThat(f.lower(h)).isCloseTo(1234.0, within(1e-6));
            assertThat(f.upper(h)).isCloseTo(1234.0, within(1e-6));
        }
    }

    @Test
    void seasonalSeriesBeatsSeasonalNaiveAndIntervalsCoverNearNinetyPercent() {
        double[] y = SeriesFixtures.seasonal(48 * 14, 48, 0.15, 3);
        int hist = 48 * 7;
        VolumeForecaster v = VolumeForecaster.train(Arrays.copyOf(y, hist), CFG);
        SeasonalNaive sn = new SeasonalNaive(48, false);
        for (int t = 0; t < hist; t++) {
            sn.observe(y[t]);
        }
        double errModel = 0;
        double errSn = 0;
        int covered = 0;
        int n = 0;
        for (int t = hist; t < y.length - 12; t++) {
            Forecast f = v.forecast(12);
            double[] s = sn.forecast(12);
            errModel += Math.abs(y[t + 11] - f.point(12));
            errSn += Math.abs(y[t + 11] - s[11]);
            covered += y[t + 11] >= f.lower(12) && y[t + 11] <= f.upper(12) ? 1 : 0;
            n++;
            v.observe(y[t]);
            sn.observe(y[t]);
        }
        // Averaging 5 models (chosen on the real development split) costs a clean seasonal series
        // a little against averaging 3: 0.902 vs 0.876 of seasonal naive's error here.
        assertThat(errModel).isLessThan(0.92 * errSn);
        assertThat((double) covered / n).isBetween(0.8, 0.98);
    }

    @Test
    void negativeSeriesStaysOnTheIdentityScale() {
        double[] y = new double[200];
        for (int t = 0; t < y.length; t++) {
            y[t] = -50 + Math.sin(t / 3.0);
        }
        VolumeForecaster v = VolumeForecaster.train(y, CFG);
        assertThat(v.modelName()).doesNotContain("@log");
        assertThat(v.forecast(1).point(1)).isBetween(-52.0, -48.0);
    }

    @Test
    void missingValuesInHistoryAndUpdatesAreTolerated() {
        double[] y = SeriesFixtures.seasonal(300, 48, 0.1, 5);
        for (int t = 10; t < 300; t += 37) {
            y[t] = Double.NaN;
        }
        VolumeForecaster v = VolumeForecaster.train(y, CFG);
        v.observe(Double.NaN);
        Forecast f = v.forecast(48);
        for (double p : f.point()) {
            assertThat(p).isFinite().isPositive();
        }
        assertThat(f.lower(48)).isFinite();
    }

    @Test
    void allMissingHistoryDoesNotThrowAndRecoversWithData() {
        double[] y = new double[200];
        Arrays.fill(y, Double.NaN);
        VolumeForecaster v = VolumeForecaster.train(y, CFG);
        v.forecast(48);
        for (int i = 0; i < 100; i++) {
            v.observe(7e6);
        }
        assertThat(v.forecast(1).point(1)).isCloseTo(7e6, within(7e6 * 0.05));
    }

    @Test
    void exceedanceProbabilityFallsWithTheValue() {
        VolumeForecaster v = VolumeForecaster.train(SeriesFixtures.seasonal(300, 48, 0.2, 13), CFG);
        double median = v.forecast(6).point(6);
        double low = v.probabilityAtLeast(median * 0.5, 6);
        double mid = v.probabilityAtLeast(median, 6);
        double high = v.probabilityAtLeast(median * 2, 6);
        assertThat(low).isGreaterThan(mid);
        assertThat(mid).isGreaterThan(high).isBetween(0.2, 0.8);
    }

    @Test
    void forecastBeyondTheCalibratedHorizonWidens() {
        VolumeForecaster v = VolumeForecaster.train(SeriesFixtures.seasonal(300, 48, 0.2, 9), CFG);
        Forecast f = v.forecast(96);
        double w48 = Math.log(f.upper(48)) - Math.log(f.lower(48));
        double w96 = Math.log(f.upper(96)) - Math.log(f.lower(96));
        assertThat(w96).isGreaterThan(w48);
    }

    @Test
    void intervalsWidenWhenTheSeriesTurnsTurbulent() {
        double[] calm = SeriesFixtures.seasonal(300, 48, 0.05, 21);
        VolumeForecaster v = VolumeForecaster.train(calm, CFG);
        Forecast before = v.forecast(1);
        double[] rough = SeriesFixtures.seasonal(60, 48, 0.6, 22);
        for (double y : rough) {
            v.observe(y);
        }
        Forecast after = v.forecast(1);
        double wBefore = Math.log(before.upper(1) / before.lower(1));
        double wAfter = Math.log(after.upper(1) / after.lower(1));
        assertThat(wAfter).isGreaterThan(2 * wBefore);
    }

    @Test
    void weeklyPatternIsLearnedWhenTheHistoryHoldsEnoughWeeks() {
        // Weekdays busy, weekends (days 5 and 6 of each week) at a tenth, plus a daily cycle.
        int week = 336;
        double[] y = new double[week * 5 + 48 * 5];
        java.util.Random r = new java.util.Random(3);
        for (int t = 0; t < y.length; t++) {
            int day = (t / 48) % 7;
            double level = day >= 5 ? 1e8 : 1e9;
            y[t] = level * (1 + 0.5 * Math.sin(2 * Math.PI * t / 48)) * Math.exp(0.05 * r.nextGaussian());
        }
        // History ends at the end of a Friday (day 4): the next 24 h are a weekend day.
        VolumeForecaster v = VolumeForecaster.train(y, CFG);
        assertThat(v.modelName()).contains("336");
        Forecast f = v.forecast(48);
        double mean = 0;
        for (int h = 1; h <= 48; h++) {
            mean += f.point(h) / 48;
        }
        assertThat(mean).isLessThan(3e8);
    }

    @Test
    void bandsMapHorizonsToTheNearestScoredHorizon() {
        assertThat(VolumeForecaster.BANDS[VolumeForecaster.band(1)]).isEqualTo(1);
        assertThat(VolumeForecaster.BANDS[VolumeForecaster.band(12)]).isEqualTo(12);
        assertThat(VolumeForecaster.BANDS[VolumeForecaster.band(40)]).isEqualTo(48);
    }

    @Test
    void invalidConfigAndHorizonAreRejected() {
        assertThatThrownBy(() -> new VolumeForecaster.Config(48, 0, 0, 100, 0.9))
                .isInstanceOf(IllegalArgumentException.class);
        VolumeForecaster v = VolumeForecaster.train(new double[] {1, 2}, CFG);
        assertThatThrownBy(() -> v.forecast(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
