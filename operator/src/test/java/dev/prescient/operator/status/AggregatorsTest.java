package dev.prescient.operator.status;

import dev.prescient.api.nodeagent.v1.NodeHealth;
import dev.prescient.api.nodeagent.v1.TierUsage;
import dev.prescient.api.v1alpha1.migration.MigrationPhase;
import dev.prescient.api.v1alpha1.migration.VolumeMigrationStatus;
import dev.prescient.api.v1alpha1.node.StorageNodeStatus;
import dev.prescient.api.v1alpha1.policy.HeatClass;
import dev.prescient.api.v1alpha1.policy.HeatClasses;
import dev.prescient.api.v1alpha1.policy.MirrorPolicySpec;
import dev.prescient.api.v1alpha1.tier.StorageTierStatus;
import dev.prescient.operator.telemetry.NodeHealthModel;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class AggregatorsTest {

    static final Instant T1 = Instant.parse("2026-11-21T10:00:00Z");
    static final Instant T2 = Instant.parse("2026-11-21T10:05:00Z");

    static NodeHealth health(long cap, long used) {
        return NodeHealth.newBuilder().setNodeId("n1").setReadLatencyP99Micros(300).setReplicaCount(3)
                .addTiers(TierUsage.newBuilder().setTier("ssd").setPath("/var/ssd").setCapacityBytes(cap)
                        .setUsedBytes(used)).build();
    }

    @Test
    void nodeStatusFromHealthAndRisk() {
        NodeHealthModel.Risk ok = new NodeHealthModel.Risk(0.02, 0.9, 0.98, false, 0.5, List.of());
        StorageNodeStatus s1 = NodeStatusAggregator.reachable(null, health(100, 40), ok, false, 1, T1);
        assertThat(s1.getTiers()).singleElement().satisfies(t -> assertThat(t.getUsedBytes()).isEqualTo(40));
        assertThat(s1.getFailureProbability()).isEqualTo(0.02);
        assertThat(s1.getConditions()).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo("EvacuationRecommended");
            assertThat(c.getStatus().name()).isEqualTo("False");
        });
        NodeHealthModel.Risk bad = new NodeHealthModel.Risk(0.8, 0.9, 0.2, true, 0.5, List.of("LATENCY_ANOMALY"));
        StorageNodeStatus s2 = NodeStatusAggregator.reachable(s1, health(100, 40), bad, false, 1, T2);
        assertThat(s2.getConditions()).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo("Healthy");
            assertThat(c.getStatus().name()).isEqualTo("False");
            assertThat(c.getMessage()).contains("LATENCY_ANOMALY");
            assertThat(c.getLastTransitionTime()).isEqualTo(T2.toString());
        });
        assertThat(s2.getConditions()).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo("Ready");
            assertThat(c.getLastTransitionTime()).isEqualTo(T1.toString());
        });
        StorageNodeStatus s3 = NodeStatusAggregator.unreachable(s2, "connection refused", 1, T2);
        assertThat(s3.getFailureProbability()).isEqualTo(0.8);
        assertThat(s3.getConditions()).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo("Ready");
            assertThat(c.getReason()).isEqualTo("AgentUnreachable");
        });
    }

    @Test
    void aNodeIsCalmSinceItsLastAlertEnded() {
        NodeHealthModel.Risk ok = new NodeHealthModel.Risk(0.02, 0.9, 0.98, false, 0.5, List.of());
        NodeHealthModel.Risk bad = new NodeHealthModel.Risk(0.9, 0.9, 0.1, true, 0.5, List.of("LATENCY_ANOMALY"));
        assertThat(NodeStatusAggregator.calmSince(null)).as("never assessed").isNull();
        StorageNodeStatus calm = NodeStatusAggregator.reachable(null, health(100, 40), ok, false, 1, T1);
        assertThat(NodeStatusAggregator.calmSince(calm)).isEqualTo(T1);
        StorageNodeStatus alerting = NodeStatusAggregator.reachable(calm, health(100, 40), bad, false, 1, T2);
        assertThat(NodeStatusAggregator.calmSince(alerting)).isNull();
        Instant t3 = T2.plusSeconds(60);
        StorageNodeStatus again = NodeStatusAggregator.reachable(alerting, health(100, 40), ok, false, 1, t3);
        StorageNodeStatus later = NodeStatusAggregator.reachable(again, health(100, 40), ok, false, 1,
                t3.plusSeconds(60));
        assertThat(NodeStatusAggregator.calmSince(later)).as("since the alert ended, not the last report")
                .isEqualTo(t3);
    }

    @Test
    void tierTotalsAndReserve() {
        Map<String, StorageNodeStatus> nodes = new LinkedHashMap<>();
        NodeHealthModel.Risk ok = new NodeHealthModel.Risk(0, 1, 1, false, 0.5, List.of());
        nodes.put("b", NodeStatusAggregator.reachable(null, health(1000, 100), ok, false, 1, T1));
        nodes.put("a", NodeStatusAggregator.reachable(null, health(2000, 500), ok, false, 1, T1));
        nodes.put("c", null);
        StorageTierStatus s = TierStatusAggregator.aggregate(null, "ssd", 10, nodes, List.of(), 3, T1);
        assertThat(s.getNodeCount()).isEqualTo(2);
        assertThat(s.getCapacityBytes()).isEqualTo(3000);
        assertThat(s.getUsedBytes()).isEqualTo(600);
        assertThat(s.getNodes().get(0).getNode()).isEqualTo("a");
        assertThat(s.getNodes().get(0).getAvailableBytes()).isEqualTo(2000 - 500 - 200);
        assertThat(s.getObservedGeneration()).isEqualTo(3);
        StorageTierStatus none = TierStatusAggregator.aggregate(null, "nvme", 10, nodes, List.of(), 1, T1);
        assertThat(none.getConditions()).singleElement().satisfies(c -> assertThat(c.getReason()).isEqualTo("NoNodes"));
    }

    @Test
    void policyValidationFindsMissingTiers() {
        MirrorPolicySpec spec = new MirrorPolicySpec();
        HeatClasses h = new HeatClasses();
        for (String t : List.of("nvme", "ssd", "tape")) {
            HeatClass c = new HeatClass();
            c.setTier(t);
            if (t.equals("nvme")) {
                h.setHot(c);
            } else if (t.equals("ssd")) {
                h.setWarm(c);
            } else {
                h.setCold(c);
            }
        }
        spec.setHeatClasses(h);
        List<String> errors = PolicyStatusAggregator.validate(spec, Set.of("nvme", "ssd"));
        assertThat(errors).containsExactly("heat class tier tape is not a StorageTier");
        var s = PolicyStatusAggregator.aggregate(null, errors, List.of("v2", "v1"), null, 1, T1);
        assertThat(s.getVolumes()).containsExactly("v1", "v2");
        assertThat(s.getConditions()).singleElement().satisfies(c -> assertThat(c.getReason()).isEqualTo("Invalid"));
    }

    @Test
    void migrationConditionsFollowThePhase() {
        VolumeMigrationStatus s = new VolumeMigrationStatus();
        s.setPhase(MigrationPhase.Transferring);
        s.setBytesTotal(100L);
        s.setBytesMoved(40L);
        MigrationStatusAggregator.aggregate(s, 1, T1, null, "because");
        assertThat(s.getConditions()).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo("Progressing");
            assertThat(c.getMessage()).contains("40/100");
        });
        s.setPhase(MigrationPhase.RolledBack);
        MigrationStatusAggregator.aggregate(s, 1, T2, "verify failed", "because");
        assertThat(s.getConditions()).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo("Failed");
            assertThat(c.getStatus().name()).isEqualTo("True");
            assertThat(c.getMessage()).isEqualTo("verify failed");
        });
        assertThat(s.getConditions()).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo("Explained");
            assertThat(c.getLastTransitionTime()).isEqualTo(T1.toString());
        });
    }
}
