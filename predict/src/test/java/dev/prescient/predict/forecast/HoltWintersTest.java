package dev.prescient.predict.forecast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class HoltWintersTest {

    @Test
    void fitsAndForecastsAPureSeasonalSeriesClosely() {
        int m = 24;
        double[] y = new double[m * 6];
        for (int t = 0; t < y.length; t++) {
            y[t] = 100 + 30 * Math.sin(2 * Math.PI * t / m);
        }
        HoltWinters hw = HoltWinters.fit(y, m, false);
        double[] f = hw.forecast(m);
        for (int h = 1; h <= m; h++) {
            double truth = 100 + 30 * Math.sin(2 * Math.PI * (y.length + h - 1) / m);
            assertThat(f[h - 1]).isCloseTo(truth, within(1.0));
        }
    }

    @Test
    void dampedTrendFollowsALinearRampButFlattens() {
        double[] y = new double[100];
        for (int t = 0; t < y.length; t++) {
            y[t] = 10 + 2 * t;
        }
        HoltWinters hw = HoltWinters.fit(y, 0, true);
        double[] f = hw.forecast(50);
        assertThat(f[0]).isCloseTo(210, within(3.0));
        // Damping: the 50-step forecast is below the undamped straight line.
        assertThat(f[49]).isGreaterThan(f[0]).isLessThan(10 + 2 * 149);
    }

    @Test
    void constantSeriesForecastsTheConstant() {
        HoltWinters hw = HoltWinters.fit(SeriesFixtures.constant(200, 7.0), 48, true);
        for (double v : hw.forecast(48)) {
            assertThat(v).isCloseTo(7.0, within(1e-9));
        }
    }

    @Test
    void missingValuesAgeTheStateWithoutPoisoningIt() {
        double[] y = SeriesFixtures.constant(120, 5.0);
        y[100] = Double.NaN;
        y[101] = Double.NaN;
        HoltWinters hw = HoltWinters.fit(y, 0, false);
        assertThat(hw.forecast(3)).containsExactly(new double[] {5.0, 5.0, 5.0}, within(1e-9));
    }

    @Test
    void tooShortHistoryIsRejectedWithTheReason() {
        assertThatThrownBy(() -> HoltWinters.fit(new double[10], 48, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("need 96 points");
    }

    @Test
    void observeMovesTheForecastTowardsNewLevel() {
        HoltWinters hw = HoltWinters.fit(SeriesFixtures.constant(50, 1.0), 0, false);
        double before = hw.forecast(1)[0];
        for (int i = 0; i < 20; i++) {
            hw.observe(10.0);
        }
        assertThat(before).isCloseTo(1.0, within(1e-9));
        assertThat(hw.forecast(1)[0]).isGreaterThan(5.0);
        assertThat(hw.observed()).isEqualTo(70);
    }
}
