package dev.prescient.csi.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescient.api.nodeagent.v1.Replica;
import dev.prescient.api.nodeagent.v1.ReplicaState;
import dev.prescient.csi.node.NodeVolumeCondition;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The two volume-condition decisions, controller side and node side: first failing check names the cause. */
class VolumeConditionsTest {
    static final VolumeRecord V = new VolumeRecord("pv-1", "pvc-1", 1L << 30, Map.of(), "", "", "node-a", "zone-1",
            "default", 1, "", "Ready", Set.of(), Set.of());

    static Replica replica(ReplicaState state, String uri) {
        return Replica.newBuilder().setReplicaId(V.primaryReplicaId()).setVolumeId("pv-1").setState(state)
                .setNbdEndpoint(uri).build();
    }

    @Test
    void controllerSide() {
        var healthy = VolumeConditions.NodeView.of(List.of(replica(ReplicaState.REPLICA_STATE_HEALTHY, "nbd://h:1")));
        assertThat(VolumeConditions.of(V, healthy, uri -> Optional.empty()).getAbnormal()).isFalse();
        assertThat(VolumeConditions.of(V, healthy, uri -> Optional.of(uri + " refused")).getMessage())
                .isEqualTo("nbd://h:1 refused");
        assertThat(VolumeConditions.of(V.withPhase("Pending"), healthy, uri -> Optional.empty()).getMessage())
                .contains("Pending");
        assertThat(VolumeConditions.of(V, VolumeConditions.NodeView.unknown(), uri -> Optional.empty()).getMessage())
                .contains("node-a", "not known");
        assertThat(VolumeConditions.of(V, VolumeConditions.NodeView.failed("UNAVAILABLE io"), uri -> {
            throw new AssertionError("no probe when the agent is down");
        }).getMessage()).contains("unreachable: UNAVAILABLE io");
        assertThat(VolumeConditions.of(V, VolumeConditions.NodeView.of(List.of()), uri -> Optional.empty())
                .getMessage()).contains("missing on node node-a");
        var failed = VolumeConditions.NodeView.of(List.of(replica(ReplicaState.REPLICA_STATE_FAILED, "nbd://h:1")));
        assertThat(VolumeConditions.of(V, failed, uri -> Optional.empty()).getMessage()).endsWith("is FAILED");
        var unexported = VolumeConditions.NodeView.of(List.of(replica(ReplicaState.REPLICA_STATE_HEALTHY, "")));
        assertThat(VolumeConditions.of(V, unexported, uri -> Optional.empty()).getMessage()).contains("not exported");
    }

    @Test
    void nodeSide() {
        var ok = new NodeVolumeCondition.Observed(true, Optional.empty(), Optional.empty(), false, Optional.of(false));
        assertThat(NodeVolumeCondition.of(ok).getAbnormal()).isFalse();
        assertThat(NodeVolumeCondition.of(new NodeVolumeCondition.Observed(false, Optional.empty(), Optional.empty(),
                false, Optional.of(false))).getMessage()).contains("attachment broken");
        assertThat(NodeVolumeCondition.of(new NodeVolumeCondition.Observed(true, Optional.of("refused"),
                Optional.empty(), false, Optional.of(false))).getMessage()).isEqualTo("engine export down: refused");
        assertThat(NodeVolumeCondition.of(new NodeVolumeCondition.Observed(true, Optional.empty(),
                Optional.of("EIO"), true, Optional.empty())).getMessage()).isEqualTo("device unhealthy: EIO");
        assertThat(NodeVolumeCondition.of(new NodeVolumeCondition.Observed(true, Optional.empty(), Optional.empty(),
                false, Optional.empty())).getMessage()).contains("not mounted");
        assertThat(NodeVolumeCondition.of(new NodeVolumeCondition.Observed(true, Optional.empty(), Optional.empty(),
                false, Optional.of(true))).getMessage()).contains("read-only");
        // A block volume has no staging mount to check.
        assertThat(NodeVolumeCondition.of(new NodeVolumeCondition.Observed(true, Optional.empty(), Optional.empty(),
                true, Optional.empty())).getAbnormal()).isFalse();
    }
}
