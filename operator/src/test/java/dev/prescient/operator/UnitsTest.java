package dev.prescient.operator;

import dev.prescient.operator.util.Units;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UnitsTest {

    @Test
    void durations() {
        assertThat(Units.duration("1h30m", null)).isEqualTo(Duration.ofMinutes(90));
        assertThat(Units.duration("168h", null)).isEqualTo(Duration.ofDays(7));
        assertThat(Units.duration("250ms", null)).isEqualTo(Duration.ofMillis(250));
        assertThat(Units.duration(null, Duration.ofSeconds(5))).isEqualTo(Duration.ofSeconds(5));
        assertThatThrownBy(() -> Units.duration("10 minutes", null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void quantities() {
        assertThat(Units.bytes("200Mi", 0)).isEqualTo(200L << 20);
        assertThat(Units.bytes("1G", 0)).isEqualTo(1_000_000_000L);
        assertThat(Units.bytes("4096", 0)).isEqualTo(4096);
        assertThat(Units.human(3L << 29)).isEqualTo("1.5Gi");
        assertThat(Units.human(10L << 30)).isEqualTo("10Gi");
        assertThatThrownBy(() -> Units.bytes("lots", 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
