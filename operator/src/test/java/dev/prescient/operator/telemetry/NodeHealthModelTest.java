package dev.prescient.operator.telemetry;

import dev.prescient.api.nodeagent.v1.NodeHealth;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class NodeHealthModelTest {

    static NodeHealth h(double latencyMicros, double errors) {
        return NodeHealth.newBuilder().setNodeId("n").setReadLatencyP99Micros(latencyMicros)
                .setIoErrorsPerSecond(errors).build();
    }

    @Test
    void latencyAnomalyAgainstTheNodesOwnHistoryRaisesTheProbability() {
        NodeHealthModel m = new NodeHealthModel(0.5);
        long t = 0;
        for (int i = 0; i < 30; i++) {
            NodeHealthModel.Risk r = m.assess("n", h(200 + (i % 5) * 10, 0), t += 60_000);
            assertThat(r.alert()).isFalse();
        }
        NodeHealthModel.Risk bad = m.assess("n", h(20_000, 50), t + 60_000);
        assertThat(bad.probability()).isGreaterThan(0.5);
        assertThat(bad.alert()).isTrue();
        assertThat(bad.reasons()).contains("LATENCY_ANOMALY");
    }

    @Test
    void stateSurvivesExportAndRestore() {
        NodeHealthModel m = new NodeHealthModel(0.5);
        for (int i = 0; i < 20; i++) {
            m.assess("n", h(200 + i, 0), i * 1000L);
        }
        m.falseAlarm(30_000);
        Map<String, String> state = m.export();
        NodeHealthModel restored = new NodeHealthModel(0.5);
        assertThat(restored.restore(state)).isEqualTo(3);
        assertThat(restored.history("n")).isEqualTo(20);
        assertThat(restored.currentThreshold(31_000)).isEqualTo(m.currentThreshold(31_000));
        assertThat(new NodeHealthModel(0.5).restore(Map.of("threshold", "not base64!"))).isZero();
    }
}
