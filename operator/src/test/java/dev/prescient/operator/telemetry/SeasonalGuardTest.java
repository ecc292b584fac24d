package dev.prescient.operator.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SeasonalGuardTest {

    @Test
    void theBaselineTakesOverOnlyAfterEnoughEvidenceThatItIsBetter() {
        SeasonalGuard g = new SeasonalGuard();
        long step = 0;
        for (; step < SeasonalGuard.MIN_RESOLVED - 1; step++) {
            g.published(step, 50, 100);
            g.observed(step, 100);
        }
        assertThat(g.baselineWins()).as("%d resolved: not enough", g.resolved()).isFalse();
        g.published(step, 50, 100);
        g.observed(step, 100);
        assertThat(g.baselineWins()).isTrue();
        assertThat(g.meanErrors()).containsExactly(50.0, 0.0);
    }

    @Test
    void theModelComesBackWhenItIsBetterAgain() {
        SeasonalGuard g = new SeasonalGuard();
        long step = 0;
        for (int i = 0; i < SeasonalGuard.WINDOW; i++, step++) {
            g.published(step, 0, 10);
            g.observed(step, 10);
        }
        assertThat(g.baselineWins()).isTrue();
        // A regime change: the day-earlier value is now 30 off, the model 1 off; the window forgets the old days.
        for (int i = 0; i < SeasonalGuard.WINDOW; i++, step++) {
            g.published(step, 39, 10);
            g.observed(step, 40);
        }
        assertThat(g.baselineWins()).isFalse();
    }

    @Test
    void oneForecastPerStepIsScoredAndUnresolvedOnesAreForgotten() {
        SeasonalGuard g = new SeasonalGuard();
        g.published(5, 0, 100);
        g.published(5, 1000, 1000);
        g.published(3, 7, 7);
        g.observed(5, 100);
        // Step 3's value never came (a gap): dropped, not scored against step 5.
        assertThat(g.resolved()).isEqualTo(1);
        assertThat(g.meanErrors()).containsExactly(100.0, 0.0);
        g.observed(6, 1);
        assertThat(g.resolved()).isEqualTo(1);
        g.published(9, Double.NaN, 1);
        g.published(10, 1, Double.NaN);
        g.observed(10, 1);
        assertThat(g.resolved()).as("a forecast without a baseline is not a comparison").isEqualTo(1);
    }

    @Test
    void theBaselinesIntervalComesFromItsOwnErrors() {
        SeasonalGuard g = new SeasonalGuard();
        for (int i = 0; i < SeasonalGuard.WINDOW; i++) {
            g.published(i, 0, 100);
            // errors y - baseline = -11.5 .. +11.5
            g.observed(i, 100 + i - 11.5);
        }
        double[] band = g.baselineInterval(200, 0.9);
        assertThat(band[0]).isCloseTo(200 - 11.5 + 0.05 * 23, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(band[1]).isCloseTo(200 + 11.5 - 0.05 * 23, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(new SeasonalGuard().baselineInterval(200, 0.9)).containsOnly(Double.NaN);
    }
}
