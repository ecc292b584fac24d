package dev.prescient.csi.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prescient.csi.DriverArgs;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TierLatencyArgsTest {
    static final Set<String> TIERS = Set.of("nvme", "ssd", "hdd");

    static Map<String, Long> parse(String... args) {
        return NodeMode.tierLatencies(new DriverArgs(args), TIERS);
    }

    @Test
    void repeatableFlagMapsTiersToMicros() {
        assertThat(parse("--tier-latency-us", "ssd=1000", "--tier-latency-us", "hdd=6000"))
                .isEqualTo(Map.of("ssd", 1000L, "hdd", 6000L));
        assertThat(parse()).isEmpty();
    }

    @Test
    void unknownTierMalformedAndNegativeValuesAreRefused() {
        assertThatThrownBy(() -> parse("--tier-latency-us", "tape=9")).hasMessageContaining("tier tape");
        assertThatThrownBy(() -> parse("--tier-latency-us", "ssd")).hasMessageContaining("TIER=MICROS");
        assertThatThrownBy(() -> parse("--tier-latency-us", "ssd=-1")).hasMessageContaining("negative");
    }
}
