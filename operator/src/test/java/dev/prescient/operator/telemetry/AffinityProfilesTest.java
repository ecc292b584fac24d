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

    private static org.assertj.core.data.Offset<Double> within() {
        return org.assertj.core.data.Offset.offset(1e-6);
    }
}
