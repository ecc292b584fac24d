package dev.prescient.operator.status;

import dev.prescient.api.nodeagent.v1.Replica;
import dev.prescient.api.nodeagent.v1.ReplicaState;
import dev.prescient.api.v1alpha1.volume.VolumePhase;
import org.junit.jupiter.api.Test;

import dev.prescient.api.v1alpha1.volume.Forecast;
import dev.prescient.api.v1alpha1.volume.ForecastMetric;
import dev.prescient.api.v1alpha1.volume.HeatClassName;
import dev.prescient.api.v1alpha1.volume.Score;
import dev.prescient.operator.plan.HeatLevel;
import dev.prescient.operator.plan.VolumeInsights;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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

    @Test
    void plannerNumbersAndTheLastRemovalReachStatus() {
        Instant t = Instant.parse("2026-11-21T10:00:00Z");
        Map<String, Double> nodes = new HashMap<>();
        for (int i = 0; i < 12; i++) {
            nodes.put("n" + i, i / 100.0);
        }
        nodes.put("n7", 0.81234);
        var insight = new VolumeInsights.Insight(HeatLevel.Hot, 0.9, nodes, Map.of("default/web", 0.25,
                "StatefulSet/db", 0.75), List.of(
                new VolumeInsights.ForecastView(ForecastMetric.UsedBytes, Duration.ofHours(24), 5.0e9, 4.5e9, 6.25e9,
                        0.9, "drift+holt-linear"),
                new VolumeInsights.ForecastView(ForecastMetric.AccessRate, Duration.ofMinutes(30), 12.3456, Double.NaN,
                        Double.NaN, 0.9, "naive")), t);
        var removal = new VolumeInsights.Removal("v-pre-r", "n3", "ssd", VolumeInsights.RemovalKind.PreStageExpired,
                "volume v: pre-staged replica on n3 never read for PT24H", t, true, null);
        var s = VolumeStatusAggregator.aggregate(null, 1L << 30, 1,
                List.of(r("a", "n1", ReplicaState.REPLICA_STATE_HEALTHY)), List.of(), insight, removal, 3, t);
        assertThat(s.getHeatClass()).isEqualTo(HeatClassName.Hot);
        assertThat(s.getAffinity().getNodes()).hasSize(10);
        assertThat(s.getAffinity().getNodes().get(0).getName()).isEqualTo("n7");
        assertThat(s.getAffinity().getNodes().get(0).getScore()).isEqualTo(0.812);
        assertThat(s.getAffinity().getApplications()).extracting(Score::getName)
                .containsExactly("StatefulSet/db", "default/web");
        assertThat(s.getForecasts()).hasSize(2);
        Forecast used = s.getForecasts().get(0);
        assertThat(used.getMetric()).isEqualTo(ForecastMetric.UsedBytes);
        assertThat(used.getHorizon()).isEqualTo("24h");
        assertThat(used.getLower()).isEqualTo(4.5e9);
        assertThat(used.getUpper()).isEqualTo(6.25e9);
        assertThat(used.getConfidence()).isEqualTo(0.9);
        Forecast access = s.getForecasts().get(1);
        assertThat(access.getHorizon()).isEqualTo("30m");
        assertThat(access.getValue()).isEqualTo(12.346);
        assertThat(access.getLower()).as("no interval before calibration").isNull();
        assertThat(s.getConditions()).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo("ReplicaRemoved");
            assertThat(c.getReason()).isEqualTo("PreStageExpired");
            assertThat(c.getMessage()).contains("v-pre-r").contains("never read");
        });

        // Next reconcile before a new planner pass: numbers and the condition (and its transition time) stay.
        var later = VolumeStatusAggregator.aggregate(s, 1L << 30, 1,
                List.of(r("a", "n1", ReplicaState.REPLICA_STATE_HEALTHY)), List.of(), null, null, 3,
                t.plusSeconds(600));
        assertThat(later.getHeatClass()).isEqualTo(HeatClassName.Hot);
        assertThat(later.getForecasts()).hasSize(2);
        assertThat(later.getConditions()).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo("ReplicaRemoved");
            assertThat(c.getLastTransitionTime()).isEqualTo(t.toString());
        });
    }

    @Test
    void aStatusThatDiffersOnlyInWhenTheNumbersWereComputedIsNotRewritten() {
        Instant t = Instant.parse("2026-11-21T10:00:00Z");
        List<Replica> rs = List.of(r("a", "n1", ReplicaState.REPLICA_STATE_HEALTHY));
        var i1 = new VolumeInsights.Insight(HeatLevel.Warm, 0.4, Map.of("n1", 1.0), Map.of(), List.of(
                new VolumeInsights.ForecastView(ForecastMetric.UsedBytes, Duration.ofHours(24), 10, 5, 20, 0.9, "m")), t);
        var first = VolumeStatusAggregator.aggregate(null, 1L << 30, 1, rs, List.of(), i1, null, 1, t);
        var i2 = new VolumeInsights.Insight(HeatLevel.Warm, 0.4, Map.of("n1", 1.0), Map.of(), i1.forecasts(),
                t.plusSeconds(30));
        var same = VolumeStatusAggregator.aggregate(first, 1L << 30, 1, rs, List.of(), i2, null, 1, t.plusSeconds(30));
        assertThat(same.getAffinity().getComputedAt()).isNotEqualTo(first.getAffinity().getComputedAt());
        assertThat(VolumeStatusAggregator.sameApartFromTimes(first, same)).isTrue();
        var hotter = VolumeStatusAggregator.aggregate(first, 1L << 30, 1, rs, List.of(), new VolumeInsights.Insight(
                HeatLevel.Hot, 0.8, Map.of("n1", 1.0), Map.of(), i1.forecasts(), t.plusSeconds(60)), null, 1,
                t.plusSeconds(60));
        assertThat(VolumeStatusAggregator.sameApartFromTimes(first, hotter)).isFalse();
        assertThat(VolumeStatusAggregator.sameApartFromTimes(null, first)).isFalse();
    }
}
