package dev.prescient.operator.status;

import dev.prescient.api.nodeagent.v1.Replica;
import dev.prescient.api.nodeagent.v1.ReplicaState;
import dev.prescient.api.v1alpha1.volume.VolumePhase;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class VolumeStatusAggregatorTest {

    static Replica r(String id, String node, ReplicaState st) {
        return Replica.newBuilder().setReplicaId(id).setNodeId(node).setTier("ssd").setState(st)
                .setAllocatedBytes(4096).build();
    }

    @Test
    void phaseAndSummaryFollowHealthyReplicas() {
        Instant t = Instant.parse("2026-11-21T10:00:00Z");
        var ok = VolumeStatusAggregator.aggregate(null, 1L << 30, 2, List.of(r("a", "n2", ReplicaState.REPLICA_STATE_HEALTHY),
                r("b", "n1", ReplicaState.REPLICA_STATE_HEALTHY)), List.of(), 1, t);
        assertThat(ok.getPhase()).isEqualTo(VolumePhase.Available);
        assertThat(ok.getReplicaSummary()).isEqualTo("2/2");
        assertThat(ok.getReplicas().get(0).getNode()).isEqualTo("n1");
        assertThat(ok.getCapacity()).isEqualTo("1Gi");
        var degraded = VolumeStatusAggregator.aggregate(ok, 1L << 30, 2, List.of(
                r("a", "n2", ReplicaState.REPLICA_STATE_HEALTHY), r("b", "n1", ReplicaState.REPLICA_STATE_SYNCING)),
                List.of("n3"), 1, t.plusSeconds(60));
        assertThat(degraded.getPhase()).isEqualTo(VolumePhase.Degraded);
        assertThat(degraded.getConditions()).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo("Degraded");
            assertThat(c.getMessage()).contains("unreachable: n3");
        });
        assertThat(VolumeStatusAggregator.aggregate(null, 1L << 30, 1, List.of(), List.of(), 1, t).getPhase())
                .isEqualTo(VolumePhase.Pending);
    }
}
