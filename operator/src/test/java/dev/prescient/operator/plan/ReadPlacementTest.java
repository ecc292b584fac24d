package dev.prescient.operator.plan;

import static dev.prescient.operator.plan.PlacementPlannerTest.T0;
import static dev.prescient.operator.plan.PlacementPlannerTest.node;
import static dev.prescient.operator.plan.PlacementPlannerTest.volume;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prescient.operator.plan.ClusterView.NodeView;
import dev.prescient.operator.plan.ClusterView.ReplicaView;
import dev.prescient.operator.plan.ClusterView.Role;
import dev.prescient.operator.plan.ClusterView.VolumeView;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReadPlacementTest {
    final ReadPlacement reads = new ReadPlacement(PlannerSettings.defaults());
    final List<NodeView> healthy = List.of(node("a", "z1", 0.01), node("b", "z2", 0.01), node("c", "z3", 0.01));

    static ReplicaView copy(String id, String node, Role role, boolean healthy) {
        return new ReplicaView(id, node, "ssd", role, healthy, T0, null);
    }

    static Map<String, ReadPlacement.Current> readingFrom(String replica) {
        return Map.of("db", new ReadPlacement.Current("a", "r-a", replica));
    }

    List<ReadPlacement.Switch> decide(List<NodeView> nodes, VolumeView v, String source) {
        return reads.decide(new ClusterView(T0, nodes, List.of(v), List.of(), 0), readingFrom(source));
    }

    @Test
    void readsFollowTheReaderToAnInSyncPreStagedCopy() {
        VolumeView v = volume("db", List.of(copy("r-a", "a", Role.Primary, true), copy("r-b", "b", Role.PreStaged, true)),
                0.3, HeatLevel.Warm, Map.of("a", 0.2, "b", 0.8), Map.of());
        List<ReadPlacement.Switch> s = decide(healthy, v, "r-a");
        assertThat(s).hasSize(1);
        assertThat(s.get(0).replicaId()).isEqualTo("r-b");
        assertThat(s.get(0).reason()).isEqualTo(ReadPlacement.Reason.ReaderLocal);
        assertThat(s.get(0).frontEndNode()).isEqualTo("a");
        assertThat(s.get(0).explanation()).contains("80% of its reads come from b").contains("r-b");
        // Already there: nothing to do.
        assertThat(decide(healthy, v, "r-b")).isEmpty();
    }

    @Test
    void aCopyStillBeingFilledOrARemoteMinorityDoesNotPullTheReads() {
        VolumeView filling = volume("db", List.of(copy("r-a", "a", Role.Primary, true),
                copy("r-b", "b", Role.PreStaged, false)), 0.3, HeatLevel.Warm, Map.of("a", 0.1, "b", 0.9), Map.of());
        assertThat(decide(healthy, filling, "r-a")).as("not in sync").isEmpty();
        // Random access from three nodes: no node has the majority (hysteresis: the share must stay above 60%).
        VolumeView random = volume("db", List.of(copy("r-a", "a", Role.Primary, true),
                copy("r-b", "b", Role.Mirror, true)), 0.3, HeatLevel.Warm, Map.of("a", 0.3, "b", 0.4, "c", 0.3),
                Map.of());
        assertThat(decide(healthy, random, "r-a")).isEmpty();
        VolumeView barely = volume("db", List.of(copy("r-a", "a", Role.Primary, true),
                copy("r-b", "b", Role.Mirror, true)), 0.3, HeatLevel.Warm, Map.of("a", 0.45, "b", 0.55), Map.of());
        assertThat(decide(healthy, barely, "r-a")).isEmpty();
        // No front-end report for the volume: left alone.
        assertThat(reads.decide(new ClusterView(T0, healthy, List.of(random), List.of(), 0), Map.of())).isEmpty();
    }

    @Test
    void readsLeaveADiskPredictedToFailOnceAHealthyCopyExists() {
        List<NodeView> aFailing = List.of(node("a", "z1", 0.8), node("b", "z2", 0.01), node("c", "z3", 0.01));
        VolumeView evacuating = volume("db", List.of(copy("r-a", "a", Role.Primary, true),
                copy("r-c", "c", Role.Evacuation, false)), 0.3, HeatLevel.Warm, Map.of("a", 1.0), Map.of());
        assertThat(decide(aFailing, evacuating, "r-a")).as("the evacuation copy is still being filled").isEmpty();
        VolumeView evacuated = volume("db", List.of(copy("r-a", "a", Role.Primary, true),
                copy("r-c", "c", Role.Evacuation, true)), 0.3, HeatLevel.Warm, Map.of("a", 1.0), Map.of());
        List<ReadPlacement.Switch> s = decide(aFailing, evacuated, "r-a");
        assertThat(s).singleElement().satisfies(x -> {
            assertThat(x.replicaId()).isEqualTo("r-c");
            assertThat(x.reason()).isEqualTo(ReadPlacement.Reason.LeaveFailingDisk);
            assertThat(x.explanation()).contains("predicted to fail").contains("0.80");
        });
        // The reader stays on the failing node: reads still leave its disk (a remote healthy copy beats a dying one).
        assertThat(decide(aFailing, evacuated, "r-c")).isEmpty();
        // A copy on the reader's node wins over another healthy one.
        VolumeView two = volume("db", List.of(copy("r-a", "a", Role.Primary, true), copy("r-b", "b", Role.Mirror, true),
                copy("r-c", "c", Role.Evacuation, true)), 0.3, HeatLevel.Warm, Map.of("a", 0.3, "c", 0.7), Map.of());
        assertThat(decide(aFailing, two, "r-a")).singleElement().extracting(ReadPlacement.Switch::replicaId)
                .isEqualTo("r-c");
        // Never onto another failing node, nor when the confidence is too low to act on.
        List<NodeView> bothFailing = List.of(node("a", "z1", 0.8), node("b", "z2", 0.9), node("c", "z3", 0.01));
        VolumeView onB = volume("db", List.of(copy("r-a", "a", Role.Primary, true), copy("r-b", "b", Role.Mirror, true)),
                0.3, HeatLevel.Warm, Map.of("a", 1.0), Map.of());
        assertThat(decide(bothFailing, onB, "r-a")).isEmpty();
        List<NodeView> unsure = List.of(new NodeView("a", "z1", true, false, 0.8, 0.1, Map.of(), 0),
                node("b", "z2", 0.01));
        assertThat(decide(unsure, onB, "r-a")).isEmpty();
    }

    @Test
    void theReactiveViewDoesNotSeeFailurePredictionsButStillFollowsTheReaderToAnExistingCopy() {
        ReactivePolicy reactive = new ReactivePolicy(Duration.ofSeconds(10));
        List<NodeView> aFailing = List.of(node("a", "z1", 0.8), node("b", "z2", 0.01));
        VolumeView v = volume("db", List.of(copy("r-a", "a", Role.Primary, true), copy("r-b", "b", Role.Mirror, true)),
                0.3, HeatLevel.Warm, Map.of("a", 1.0), Map.of());
        ClusterView seen = reactive.observe(new ClusterView(T0, aFailing, List.of(v), List.of(), 0),
                PlannerSettings.defaults());
        assertThat(reads.decide(seen, readingFrom("r-a"))).isEmpty();
        VolumeView moved = volume("db", v.replicas(), 0.3, HeatLevel.Warm, Map.of("a", 0.1, "b", 0.9), Map.of());
        ClusterView later = reactive.observe(new ClusterView(T0, aFailing, List.of(moved), List.of(), 0),
                PlannerSettings.defaults());
        assertThat(reads.decide(later, readingFrom("r-a"))).singleElement()
                .extracting(ReadPlacement.Switch::replicaId).isEqualTo("r-b");
    }

    @Test
    void aConfidentForecastMovesTheReadsAsSoonAsTheNewReaderLeadsButTheReactiveViewWaitsForTheMajority() {
        List<ReplicaView> copies = List.of(copy("r-a", "a", Role.Primary, true), copy("r-b", "b", Role.PreStaged, true));
        VolumeView leading = volume("db", copies, 0.3, HeatLevel.Warm, Map.of("a", 0.45, "b", 0.55),
                Map.of("a", 0.1, "b", 0.9));
        assertThat(decide(healthy, leading, "r-a")).singleElement().satisfies(s -> {
            assertThat(s.replicaId()).isEqualTo("r-b");
            assertThat(s.explanation()).contains("forecast gives b 90%");
        });
        ClusterView seen = new ReactivePolicy(Duration.ZERO).observe(new ClusterView(T0, healthy, List.of(leading),
                List.of(), 0), PlannerSettings.defaults());
        assertThat(reads.decide(seen, readingFrom("r-a"))).isEmpty();
        // A forecast alone, with the source's node still reading most, moves nothing.
        VolumeView before = volume("db", copies, 0.3, HeatLevel.Warm, Map.of("a", 0.9, "b", 0.1),
                Map.of("a", 0.1, "b", 0.9));
        assertThat(decide(healthy, before, "r-a")).isEmpty();
    }

    @Test
    void theReaderShareMustBeAMajority() {
        assertThatThrownBy(() -> new ReadPlacement(PlannerSettings.defaults(), 0.5))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
