package dev.prescient.predict.forecast;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SeasonalNaiveTest {

    @Test
    void repeatsTheLastSeason() {
        SeasonalNaive s = new SeasonalNaive(3, false);
        for (double v : new double[] {9, 9, 9, 1, 2, 3}) {
            s.observe(v);
        }
        assertThat(s.forecast(7)).containsExactly(1, 2, 3, 1, 2, 3, 1);
    }

    @Test
    void naiveRepeatsTheLastValue() {
        SeasonalNaive n = SeasonalNaive.naive();
        n.observe(4);
        n.observe(6);
        assertThat(n.forecast(3)).containsExactly(6, 6, 6);
        assertThat(n.name()).isEqualTo("naive");
    }

    @Test
    void emptyHistoryForecastsNaNAndSingleSampleRepeatsIt() {
        SeasonalNaive s = new SeasonalNaive(48, false);
        assertThat(s.forecast(2)).containsOnly(Double.NaN);
        s.observe(3.5);
        assertThat(s.forecast(50)).containsOnly(3.5);
    }

    @Test
    void driftAddsTheLastSeasonsSlope() {
        SeasonalNaive s = new SeasonalNaive(2, true);
        for (double v : new double[] {0, 10, 2, 12, 4, 14}) {
            s.observe(v);
        }
        // growth over the last season = 14 - 12 = 2, added once per season ahead
        assertThat(s.forecast(4)).containsExactly(4 + 2, 14 + 2, 4 + 4, 14 + 4);
    }

    @Test
    void missingValueKeepsTheSameSeasonValue() {
        SeasonalNaive s = new SeasonalNaive(2, false);
        for (double v : new double[] {1, 2, Double.NaN}) {
            s.observe(v);
        }
        assertThat(s.forecast(2)).containsExactly(2, 1);
    }
}
