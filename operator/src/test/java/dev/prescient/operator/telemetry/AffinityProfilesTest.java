package dev.prescient.operator.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AffinityProfilesTest {

    @Test
    void aRealDayUsesTheUtcHour() {
        AffinityProfiles p = new AffinityProfiles(1.0);
        p.observe("v", "node-b", 0.9, Instant.parse("2026-11-20T14:10:00Z"));
        assertThat(p.forecast("v", "node-b", Instant.parse("2026-11-21T14:50:00Z"), 0)).isCloseTo(0.9, within());
        assertThat(p.forecast("v", "node-b", Instant.parse("2026-11-21T15:00:00Z"), -1)).isEqualTo(-1);
    }

    @Test
    void aCompressedDaySeesTheSameCycleInMinutes() {
        // A 60 s "day": each slot is 2.5 s; what happened at second 10 of one cycle is forecast for second 70.
        AffinityProfiles p = new AffinityProfiles(1.0, Duration.ofSeconds(60));
        Instant start = Instant.ofEpochSecond(1_800_000_000L - Math.floorMod(1_800_000_000L, 60));
        p.observe("v", "node-a", 0.2, start.plusSeconds(10));
        p.observe("v", "node-b", 0.8, start.plusSeconds(40));
        assertThat(p.forecast("v", "node-a", start.plusSeconds(70), 0)).isCloseTo(0.2, within());
        assertThat(p.forecast("v", "node-b", start.plusSeconds(100), 0)).isCloseTo(0.8, within());
        assertThat(p.forecast("v", "node-b", start.plusSeconds(70), 0)).isZero();
        assertThatThrownBy(() -> new AffinityProfiles(1.0, Duration.ofMillis(10)))
                .hasMessageContaining("too short");
    }

    /**
     * The score-random scenario: a random node reads the volume for 10 s at a time. On the first day there is no
     * seasonal history; the share a node has now is forecast over the 15 s lead only as far as it already held that
     * long, so a reader of 10 s is not forecast to stay and one that has held for the lead is.
     */
    @Test
    void withoutADayOfHistoryAShareIsForecastToLastOnlyAsFarAsItHasHeld() {
        AffinityProfiles p = new AffinityProfiles(0.5, Duration.ofSeconds(60));
        Instant start = Instant.ofEpochSecond(1_800_000_000L - Math.floorMod(1_800_000_000L, 60));
        Duration lead = Duration.ofSeconds(15);
        // node-a reads for 10 s, then node-c; passes every 2 s.
        for (int t = 0; t <= 20; t += 2) {
            p.observe("v", "node-a", t < 10 ? 1.0 : 0.0, start.plusSeconds(t));
            p.observe("v", "node-c", t < 10 ? 0.0 : 1.0, start.plusSeconds(t));
        }
        Instant now = start.plusSeconds(20);
        assertThat(p.forecast("v", "node-c", now, now.plus(lead), 1.0)).as("node-c has read for 10 s of 15")
                .isZero();
        for (int t = 22; t <= 26; t += 2) {
            p.observe("v", "node-c", 1.0, start.plusSeconds(t));
        }
        now = start.plusSeconds(26);
        assertThat(p.forecast("v", "node-c", now, now.plus(lead), 1.0)).as("held for 16 s").isCloseTo(1.0, within());
        assertThat(p.forecast("v", "node-c", now, now.plus(lead), 0.7)).as("never above the share now")
                .isCloseTo(0.7, within());
        assertThat(p.forecast("v", "node-b", now, now.plus(lead), 0.4)).as("never seen").isZero();
        // A day later that time of day is known: the profile says it, whatever held lately.
        Instant nextDay = start.plusSeconds(60 + 5);
        assertThat(p.forecast("v", "node-a", nextDay.minus(lead), nextDay, 0.0)).isCloseTo(1.0, within());
    }

    private static org.assertj.core.data.Offset<Double> within() {
        return org.assertj.core.data.Offset.offset(1e-6);
    }
}
