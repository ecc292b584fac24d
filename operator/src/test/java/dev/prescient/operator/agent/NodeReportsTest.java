package dev.prescient.operator.agent;

import dev.prescient.api.nodeagent.v1.NodeHealth;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class NodeReportsTest {

    static final Instant T0 = Instant.parse("2026-11-21T00:00:00Z");

    static NodeHealth health(int replicas) {
        return NodeHealth.newBuilder().setReplicaCount(replicas).build();
    }

    @Test
    void aReportServesWhileYoungerThanTheAllowedAge() {
        NodeReports r = new NodeReports();
        r.publish("node-1", health(3), T0);
        assertThat(r.fresh("node-1", Duration.ofSeconds(30), T0.plusSeconds(29)).getReplicaCount()).isEqualTo(3);
        assertThat(r.fresh("node-1", Duration.ofSeconds(30), T0.plusSeconds(30))).isNull();
        assertThat(r.fresh("node-2", Duration.ofSeconds(30), T0)).isNull();
    }

    @Test
    void anOlderReportArrivingLateDoesNotReplaceANewerOne() {
        NodeReports r = new NodeReports();
        r.publish("node-1", health(5), T0.plusSeconds(10));
        r.publish("node-1", health(4), T0);
        assertThat(r.fresh("node-1", Duration.ofSeconds(30), T0.plusSeconds(11)).getReplicaCount()).isEqualTo(5);
        r.publish("node-1", health(6), T0.plusSeconds(20));
        assertThat(r.fresh("node-1", Duration.ofSeconds(30), T0.plusSeconds(21)).getReplicaCount()).isEqualTo(6);
    }
}
