package dev.prescient.local.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ForecastTrackTest {

    private static ForecastTrack.Point point(long millis, double at, double horizon, double value, Double lo,
            Double hi) {
        return new ForecastTrack.Point(millis, at, at + horizon, value, lo, hi, lo == null ? null : 0.9);
    }

    @Test
    void theSameForecastSeenOnSeveralPollsIsKeptOnceAndOrderedByTheOperatorsTimestamp() {
        ForecastTrack t = new ForecastTrack();
        assertThat(t.addForecast("AccessRate", "8s", point(2_000, 2.0, 8, 10, null, null))).isTrue();
        // The next poll places the same forecast a little differently (scenario and wall clock drift): still one.
        assertThat(t.addForecast("AccessRate", "8s", point(2_000, 2.1, 8, 10, null, null))).isFalse();
        assertThat(t.addForecast("AccessRate", "8s", point(6_000, 6.0, 8, 30, 20.0, 40.0))).isTrue();
        assertThat(t.addForecast("AccessRate", "8s", point(4_000, 4.0, 8, 20, null, null))).isTrue();
        assertThat(t.forecasts("AccessRate")).extracting(ForecastTrack.Point::value).containsExactly(10.0, 20.0, 30.0);
        assertThat(t.latest("AccessRate").value()).isEqualTo(30);
        assertThat(t.horizon("AccessRate")).isEqualTo("8s");
        assertThat(t.forecasts("UsedBytes")).isEmpty();
        assertThat(t.latest("UsedBytes")).isNull();
    }

    @Test
    void actualIsInterpolatedInsideTheMeasuredSpanOnly() {
        ForecastTrack t = new ForecastTrack();
        t.addActual("AccessRate", 1, 10);
        t.addActual("AccessRate", 3, 30);
        t.addActual("AccessRate", 3, 99); // not later than the last: dropped
        t.addActual("AccessRate", 4, 20);
        assertThat(t.actual("AccessRate")).hasSize(3);
        assertThat(t.actualAt("AccessRate", 2)).isCloseTo(20, within(1e-9));
        assertThat(t.actualAt("AccessRate", 3.5)).isCloseTo(25, within(1e-9));
        assertThat(t.actualAt("AccessRate", 4)).isEqualTo(20);
        assertThat(t.actualAt("AccessRate", 0.5)).isNaN();
        assertThat(t.actualAt("AccessRate", 4.5)).isNaN();
        assertThat(t.actualAt("UsedBytes", 2)).isNaN();
    }

    @Test
    void forecastsWhoseTimeHasComeAreScoredAgainstTheActualAndADayEarlier() {
        ForecastTrack t = new ForecastTrack();
        // Actual: 0..20 s, value = t (a ramp), so the value one "day" (10 s) earlier is t - 10.
        for (int s = 0; s <= 20; s++) {
            t.addActual("AccessRate", s, s);
        }
        t.addForecast("AccessRate", "2s", point(1_000, 1, 2, 3, 2.0, 4.0));     // for t=3: actual 3, inside, no day before
        t.addForecast("AccessRate", "2s", point(12_000, 12, 2, 15, 10.0, 14.0)); // for t=14: actual 14, inside at the edge
        t.addForecast("AccessRate", "2s", point(16_000, 16, 2, 19, null, null)); // for t=18: actual 18, no interval
        t.addForecast("AccessRate", "2s", point(17_000, 17, 2, 25, 24.0, 26.0)); // for t=19: actual 19, outside
        t.addForecast("AccessRate", "2s", point(20_000, 20, 2, 22, 21.0, 23.0)); // for t=22: not due yet

        ForecastTrack.Score s = t.score("AccessRate", 10);
        assertThat(s.resolved()).isEqualTo(4);
        assertThat(s.withInterval()).isEqualTo(3);
        assertThat(s.inside()).isEqualTo(2);
        assertThat(s.meanAbsError()).isCloseTo((0 + 1 + 1 + 6) / 4.0, within(1e-9));
        // t=14, 18, 19 have a measurement 10 s earlier; on a ramp that baseline is off by 10 each time.
        assertThat(s.baselineResolved()).isEqualTo(3);
        assertThat(s.baselineMeanAbsError()).isCloseTo(10, within(1e-9));
        assertThat(s.operatorErrorOnBaselinePoints()).isCloseTo((1 + 1 + 6) / 3.0, within(1e-9));

        assertThat(t.score("AccessRate", 0).baselineResolved()).isZero();
        ForecastTrack.Score none = t.score("UsedBytes", 10);
        assertThat(none.resolved()).isZero();
        assertThat(none.meanAbsError()).isNaN();
    }

    @Test
    void onlyTheLatestForecastsAndMeasurementsAreKept() {
        ForecastTrack t = new ForecastTrack();
        for (int i = 0; i < ForecastTrack.KEEP + 10; i++) {
            t.addForecast("UsedBytes", "1m", point(i, i, 60, i, null, null));
            t.addActual("UsedBytes", i, i);
        }
        assertThat(t.forecasts("UsedBytes")).hasSize(ForecastTrack.KEEP);
        assertThat(t.forecasts("UsedBytes").get(0).value()).isEqualTo(10);
        assertThat(t.actual("UsedBytes")).hasSize(ForecastTrack.KEEP);
        assertThat(t.actual("UsedBytes").get(0).t()).isEqualTo(10);
    }

    @Test
    void horizonsAsTheOperatorWritesThem() {
        assertThat(ForecastTrack.parseHorizon("8s")).isEqualTo(Duration.ofSeconds(8));
        assertThat(ForecastTrack.parseHorizon("1m")).isEqualTo(Duration.ofMinutes(1));
        assertThat(ForecastTrack.parseHorizon("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(ForecastTrack.parseHorizon("2s500ms")).isEqualTo(Duration.ofMillis(2500));
        assertThat(ForecastTrack.parseHorizon("1.5h")).isEqualTo(Duration.ofMinutes(90));
        assertThat(ForecastTrack.parseHorizon("PT8S")).isEqualTo(Duration.ofSeconds(8));
        assertThat(ForecastTrack.parseHorizon("1d")).isEqualTo(Duration.ofDays(1));
    }

    @Test
    void aHorizonThatIsNotADurationIsRefusedWithItsText() {
        assertThatThrownBy(() -> ForecastTrack.parseHorizon("soon")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'soon'");
        assertThatThrownBy(() -> ForecastTrack.parseHorizon("8 s")).hasMessageContaining("'8 s'");
        assertThatThrownBy(() -> ForecastTrack.parseHorizon("8sx")).hasMessageContaining("'8sx'");
        assertThatThrownBy(() -> ForecastTrack.parseHorizon("PTx")).hasMessageContaining("'PTx'");
        assertThatThrownBy(() -> ForecastTrack.parseHorizon(null)).hasMessageContaining("missing");
    }
}
