package dev.prescient.local.view;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescient.local.runtime.ForecastTrack;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The terminal's forecast line and the order the view draws the operator's metrics in. */
class StateSnapshotTest {

    @Test
    void aForecastLineSaysValueIntervalHorizonAndHowTheDueOnesDid() {
        ForecastTrack.Point p = new ForecastTrack.Point(0, 10, 18, 509.891, 302.765, 907.726, 0.9);
        String line = StateSnapshot.forecastLine("AccessRate", "8s", p,
                new ForecastTrack.Score(40, 30, 27, 12.34, 20, 30.5, 11.0));
        assertThat(line).isEqualTo("operator forecast AccessRate +8s: 509.9 [302.8, 907.7] 90% | 40 due, 90% inside, "
                + "MAE 12.3 (on the 20 with a day of history: 11.0, same time a day earlier 30.5)");
    }

    @Test
    void bytesAreShownInMibAndAMissingIntervalIsSaid() {
        ForecastTrack.Point p = new ForecastTrack.Point(0, 10, 70, 12 * 1048576.0, null, null, null);
        String line = StateSnapshot.forecastLine("UsedBytes", "1m", p,
                new ForecastTrack.Score(0, 0, 0, Double.NaN, 0, Double.NaN, Double.NaN));
        assertThat(line).isEqualTo("operator forecast UsedBytes +1m: 12.0 MiB (no interval yet)");
    }

    @Test
    void accessComesFirstThenCapacityThenTheRest() {
        assertThat(StateSnapshot.ordered(List.of("Zeta", "UsedBytes", "WriteBytes", "AccessRate")))
                .containsExactly("AccessRate", "UsedBytes", "WriteBytes", "Zeta");
    }

    @Test
    void theMeasuredSeriesSaysWhatItIs() {
        assertThat(StateSnapshot.actualSource("AccessRate", 5)).isEqualTo(
                "engine heat summed over nodes (decayed accesses, half-life 5 s), as the operator reads it");
        assertThat(StateSnapshot.actualSource("AccessRate", Double.NaN)).isEqualTo(
                "engine heat summed over nodes (decayed accesses), as the operator reads it");
        assertThat(StateSnapshot.actualSource("ReadBytes", 5)).isEqualTo("not measured by local mode");
    }
}
