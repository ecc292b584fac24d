package dev.prescient.operator.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescient.api.nodeagent.v1.ConsumerHeat;
import dev.prescient.api.nodeagent.v1.ExtentHeat;
import dev.prescient.api.nodeagent.v1.VolumeTelemetry;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HeatAttributionTest {

    private static VolumeTelemetry.Builder volume(double read, double write) {
        return VolumeTelemetry.newBuilder().setVolumeId("v")
                .addExtents(ExtentHeat.newBuilder().setExtentIndex(0).setReadHeat(read).setWriteHeat(write));
    }

    @Test
    void withoutAttachmentsTheServingNodeGetsEverything() {
        assertThat(HeatAttribution.byNode("node-a", volume(30, 10).build())).isEqualTo(Map.of("node-a", 40.0));
        var pod = volume(3, 1).addConsumers(ConsumerHeat.newBuilder().setConsumer("ns/p/u").setReadHeat(50));
        assertThat(HeatAttribution.byNode("node-a", pod.build())).isEqualTo(Map.of("node-a", 50.0));
        assertThat(HeatAttribution.byNode("node-a", VolumeTelemetry.newBuilder().setVolumeId("v").build()))
                .isEqualTo(Map.of("node-a", 0.0));
    }

    @Test
    void namedAttachmentsCountForTheirNodesAndTheRestForTheServer() {
        var vt = volume(30, 10)
                .addConsumers(ConsumerHeat.newBuilder().setConsumer("node:node-b").setReadHeat(25).setWriteHeat(5))
                .addConsumers(ConsumerHeat.newBuilder().setConsumer("node:node-c").setReadHeat(4));
        assertThat(HeatAttribution.byNode("node-a", vt.build()))
                .containsEntry("node-b", 30.0).containsEntry("node-c", 4.0).containsEntry("node-a", 6.0).hasSize(3);
        var all = volume(8, 2).addConsumers(ConsumerHeat.newBuilder().setConsumer("node:node-b").setReadHeat(8)
                .setWriteHeat(2));
        assertThat(HeatAttribution.byNode("node-a", all.build())).isEqualTo(Map.of("node-b", 10.0));
    }
}
