package dev.prescient.csi.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EngineExportsThrottleTest {
    @Test
    void onlyReplicasOnAThrottledTierGetTheEngineLatencyOption(@TempDir Path dir) throws Exception {
        EngineExports e = new EngineExports(dir.resolve("run"), "127.0.0.1",
                Map.of("nvme", dir.resolve("nvme"), "hdd", dir.resolve("hdd")), 5000, Map.of("hdd", 6000L, "nvme", 0L));
        assertThat(e.engineThrottle("hdd")).containsExactly("--latency-us", "6000");
        assertThat(e.engineThrottle("nvme")).isEmpty();
        assertThat(e.engineThrottle("ssd")).isEmpty();
    }

    @Test
    void aHeatHalfLifeMustBePositive(@TempDir Path dir) throws Exception {
        EngineExports e = new EngineExports(dir.resolve("run"), "127.0.0.1", Map.of("nvme", dir.resolve("nvme")), 5000);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> e.setHeatHalfLifeSeconds(0))
                .hasMessageContaining("heat half-life must be positive");
        e.setHeatHalfLifeSeconds(5);
    }
}
