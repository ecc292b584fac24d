package dev.prescient.csi.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescient.api.nodeagent.v1.ConsumerHeat;
import dev.prescient.api.nodeagent.v1.ExtentHeat;
import dev.prescient.engine.heat.HeatSnapshot;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TelemetryViewTest {
    static final HeatSnapshot HEAT = new HeatSnapshot(1000, 1 << 20, 300, new int[]{2, 9, 40},
            new float[]{5, 0, 0.25f}, new float[]{1, 3, 0}, Map.of(), new long[0][], Map.of());

    @Test
    void extentsBelowMinHeatAreDroppedAndOnePodGetsTheVolumesHeat() {
        var v = TelemetryView.volume("v1", Optional.of(HEAT), List.of("ns/p/u"), 0.5);
        assertThat(v.getExtentSizeBytes()).isEqualTo(1 << 20);
        assertThat(v.getExtentsList()).extracting(ExtentHeat::getExtentIndex).containsExactly(2L, 9L);
        assertThat(v.getExtents(1).getWriteHeat()).isEqualTo(3);
        assertThat(v.getConsumers(0).getReadHeat()).isEqualTo(5.25);
        assertThat(v.getConsumers(0).getWriteHeat()).isEqualTo(4);
    }

    @Test
    void severalPodsAreListedWithoutInventedSharesAndNoHeatFileMeansNoExtents() {
        var shared = TelemetryView.volume("v1", Optional.of(HEAT), List.of("ns/b/2", "ns/a/1"), 0);
        assertThat(shared.getExtentsList()).hasSize(3);
        assertThat(shared.getConsumersList()).extracting(ConsumerHeat::getConsumer).containsExactly("ns/a/1", "ns/b/2");
        assertThat(shared.getConsumersList()).allSatisfy(c -> assertThat(c.getReadHeat() + c.getWriteHeat()).isZero());
        var cold = TelemetryView.volume("v2", Optional.empty(), List.of(), 0);
        assertThat(cold.getExtentsList()).isEmpty();
        assertThat(cold.getExtentSizeBytes()).isZero();
    }

    @Test
    void attachmentsThatNameTheirNodeCarryTheirOwnHeatAndTheDefaultConsumerIsNotListed() {
        HeatSnapshot tagged = new HeatSnapshot(1000, 1 << 20, 300, new int[]{2}, new float[]{7}, new float[]{1},
                Map.of("node:node-b", new HeatSnapshot.ConsumerHeat(6, 0, 24576),
                        "node:node-a", new HeatSnapshot.ConsumerHeat(1, 1, 8192),
                        "engine-main", new HeatSnapshot.ConsumerHeat(9, 9, 1)), new long[0][], Map.of());
        var v = TelemetryView.volume("v1", Optional.of(tagged), List.of(), 0);
        assertThat(v.getConsumersList()).extracting(ConsumerHeat::getConsumer)
                .containsExactly("node:node-a", "node:node-b");
        assertThat(v.getConsumers(1).getReadHeat()).isEqualTo(6);
        assertThat(v.getConsumers(1).getWriteHeat()).isZero();
    }
}
