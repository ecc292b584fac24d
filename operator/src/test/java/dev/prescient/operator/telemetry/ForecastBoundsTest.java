package dev.prescient.operator.telemetry;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class ForecastBoundsTest {

    @Test
    void clampsToZeroAndAMultipleOfThePeak() {
        assertThat(ForecastBounds.clamp(28_000_000, 175)).isEqualTo(700);
        assertThat(ForecastBounds.clamp(650, 175)).isEqualTo(650);
        assertThat(ForecastBounds.clamp(-3, 175)).isZero();
        assertThat(ForecastBounds.clamp(Double.NaN, 175)).isNaN();
        assertThat(ForecastBounds.clamp(12, 0)).as("a volume never accessed forecasts no access").isZero();
        assertThat(ForecastBounds.clamp(12, Double.NaN)).isZero();
    }

    @Test
    void peakSkipsMissingSteps() {
        assertThat(ForecastBounds.peak(new double[] {3, Double.NaN, 9, 4}, Double.NaN)).isEqualTo(9);
        assertThat(ForecastBounds.peak(new double[] {3, Double.NaN}, 11)).isEqualTo(11);
        assertThat(ForecastBounds.peak(new double[] {Double.NaN}, Double.NaN)).isNaN();
    }

    @Test
    void aSteepRiseIsNotExtrapolatedPastThePhysicalBound() {
        // Access that doubles every 4 steps for 40 steps: any trend model carried 5 days ahead runs far past it.
        VolumeForecasts f = new VolumeForecasts(VolumeForecasts.Config.defaults());
        Instant t0 = Instant.parse("2026-11-20T00:00:00Z");
        double peak = 0;
        for (int i = 0; i < 40; i++) {
            f.beginPass();
            double rate = Math.pow(2, i / 4.0);
            peak = Math.max(peak, rate);
            f.observe("v", t0.plus(Duration.ofMinutes(30L * i)), 1L << 30, rate);
        }
        VolumeForecasts.Outlook o = f.access("v", Duration.ofDays(5));
        assertThat(o).isNotNull();
        double ceiling = ForecastBounds.PEAK_MULTIPLE * peak;
        assertThat(o.value()).isBetween(0.0, ceiling);
        if (o.calibrated()) {
            assertThat(o.lower()).isBetween(0.0, ceiling);
            assertThat(o.upper()).isBetween(0.0, ceiling);
        }
        if (o.value() == ceiling) {
            assertThat(o.model()).contains("clamped");
        }
    }
}
