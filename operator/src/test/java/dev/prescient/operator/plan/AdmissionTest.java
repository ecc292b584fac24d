package dev.prescient.operator.plan;

import dev.prescient.api.v1alpha1.migration.MigrationReason;
import dev.prescient.operator.plan.ClusterView.InFlight;
import dev.prescient.operator.plan.ClusterView.NodeView;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Admission on its own: priority order, concurrency per node and cluster, bandwidth granted and clipped. */
class AdmissionTest {

    static final Instant T0 = Instant.parse("2026-12-08T00:00:00Z");
    static final long MIB = 1L << 20;

    static NodeView node(String name, long bandwidth) {
        return new NodeView(name, "z", true, false, 0.01, 0.9, Map.of("ssd", 1L << 40), bandwidth);
    }

    static PlannedAction move(ActionKind kind, String volume, String from, String to, double benefit) {
        return new PlannedAction(kind, volume, from, "ssd", to, "ssd", MigrationReason.Tiering, false, null, null,
                benefit, kind + " " + volume);
    }

    @Test
    void evacuationsFirstThenByBenefitWithinPerNodeAndClusterConcurrency() {
        PlannerSettings s = PlannerSettings.defaults().withLimits(2, 3);
        ClusterView view = new ClusterView(T0, List.of(node("a", 0), node("b", 0), node("c", 0), node("d", 0)),
                List.of(), List.of(new InFlight("busy", "a", "d", 10 * MIB)), OperatorLimits.none());
        List<PlannedAction> candidates = new ArrayList<>(List.of(
                move(ActionKind.Migrate, "v1", "a", "b", 0.9),
                move(ActionKind.Migrate, "v2", "a", "c", 0.5),
                move(ActionKind.Evacuate, "v3", "a", "c", 0.1),
                move(ActionKind.Migrate, "v4", "b", "c", 0.3),
                move(ActionKind.Migrate, "v5", "b", "d", 0.2)));
        List<PlannedAction> admitted = new ArrayList<>();
        List<Plan.Deferred> deferred = new ArrayList<>();

        new Admission(s).admit(view, candidates, admitted, deferred);

        // a holds one migration in flight: the evacuation goes first and is a's second; both moves off a wait
        // however high their benefit; v4 takes the cluster's third slot and v5 finds none left.
        assertThat(admitted).extracting(PlannedAction::volume).containsExactly("v3", "v4");
        assertThat(deferred).extracting(d -> d.action().volume()).containsExactly("v1", "v2", "v5");
        assertThat(deferred.get(0).why()).isEqualTo("per-node concurrency limit 2 reached on a (policy limit)");
        assertThat(deferred.get(2).why()).isEqualTo("cluster-wide concurrency limit 3 reached (policy limit)");
    }

    @Test
    void bandwidthIsClippedToTheSlowerEndAndAMoveWaitsWhenLessThanHalfIsLeft() {
        PlannerSettings s = PlannerSettings.defaults().withLimits(10, 10); // 200 MiB/s per migration
        ClusterView view = new ClusterView(T0, List.of(node("a", 0), node("slow", 150 * MIB), node("c", 0)),
                List.of(), List.of(), new OperatorLimits(0, 0, 0, 0, Map.of()));
        List<PlannedAction> candidates = new ArrayList<>(List.of(
                move(ActionKind.Migrate, "v1", "a", "slow", 0.9),
                move(ActionKind.Migrate, "v2", "c", "slow", 0.8),
                move(ActionKind.Migrate, "v3", "a", "c", 0.7)));
        List<PlannedAction> admitted = new ArrayList<>();
        List<Plan.Deferred> deferred = new ArrayList<>();

        new Admission(s).admit(view, candidates, admitted, deferred);

        assertThat(admitted).extracting(PlannedAction::volume).containsExactly("v1", "v3");
        assertThat(admitted.get(0).bandwidthBytesPerSecond()).isEqualTo(150 * MIB);
        assertThat(admitted.get(1).bandwidthBytesPerSecond()).isEqualTo(200 * MIB);
        assertThat(deferred).singleElement().satisfies(d -> {
            assertThat(d.action().volume()).isEqualTo("v2");
            assertThat(d.why()).contains("bandwidth limit").contains("slow");
        });
    }
}
