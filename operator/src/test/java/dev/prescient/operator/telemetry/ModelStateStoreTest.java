package dev.prescient.operator.telemetry;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ModelStateStoreTest {

    @Test
    void whatDoesNotFitIsDroppedInPriorityOrderNotAlphabetically() {
        Map<String, String> state = new HashMap<>();
        String big = "x".repeat(1000);
        for (int i = 0; i < 2000; i++) {
            state.put("affinity.pv-" + i + "|node-1", big);
            state.put("used.pv-" + i, big);
        }
        state.put("health.node-1", "h");
        state.put("heat.pv-1", "Hot");
        Map<String, String> kept = ModelStateStore.select(state, 20_000, ModelStateStore.MAX_BYTES);
        long bytes = kept.entrySet().stream().mapToLong(e -> e.getKey().length() + e.getValue().length()).sum();
        assertThat(bytes).isLessThanOrEqualTo(ModelStateStore.MAX_BYTES);
        // "affinity." sorts before "health.", but node health is what must survive a restart first.
        assertThat(kept).containsKey("health.node-1").containsKey("heat.pv-1");
        assertThat(kept.keySet()).anyMatch(k -> k.startsWith("affinity."));
        assertThat(kept.keySet()).noneMatch(k -> k.startsWith("used."));
        assertThat(ModelStateStore.select(state, 3, ModelStateStore.MAX_BYTES)).hasSize(3)
                .containsKey("health.node-1").containsKey("heat.pv-1");
    }
}
