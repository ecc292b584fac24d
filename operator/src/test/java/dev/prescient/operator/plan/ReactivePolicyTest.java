package dev.prescient.operator.plan;

import dev.prescient.operator.plan.ClusterView.NodeView;
import dev.prescient.operator.plan.ClusterView.VolumeView;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static dev.prescient.operator.plan.PlacementPlannerTest.T0;
import static dev.prescient.operator.plan.PlacementPlannerTest.node;
import static dev.prescient.operator.plan.PlacementPlannerTest.of;
import static dev.prescient.operator.plan.PlacementPlannerTest.primary;
import static dev.prescient.operator.plan.PlacementPlannerTest.volume;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The reactive baseline: the planner fed only what is observed now. */
class ReactivePolicyTest {

    final PlannerSettings settings = PlannerSettings.defaults();
    final PlacementPlanner planner = new PlacementPlanner(settings);
    final List<NodeView> nodes = List.of(node("a", "z1", 0.01), node("b", "z2", 0.01), node("c", "z3", 0.01));

    private Plan pass(ReactivePolicy r, Instant at, VolumeView v) {
        return pass(r, at, nodes, v);
    }

    private Plan pass(ReactivePolicy r, Instant at, List<NodeView> ns, VolumeView v) {
        PlannerSettings s = r.settings(settings);
        return new PlacementPlanner(s).plan(r.observe(new ClusterView(at, ns, List.of(v), List.of(), 0), s));
    }

    @Test
    void aForecastAloneMovesNothing() {
        // Node b is forecast to read everything, nobody reads from it yet: predictive pre-stages, reactive waits.
        VolumeView v = volume("db", List.of(primary("a", "ssd")), 0.3, HeatLevel.Warm, Map.of("a", 1.0),
                Map.of("a", 0.0, "b", 1.0));
        assertThat(of(planner.plan(new ClusterView(T0, nodes, List.of(v), List.of(), 0)), ActionKind.PreStage))
                .as("the predictive planner pre-stages on b").hasSize(1);
        Plan p = pass(new ReactivePolicy(Duration.ZERO), T0, v);
        assertThat(p.actions()).isEmpty();
    }

    @Test
    void theReaderIsFollowedOnceItHasReadRemotelyForTheDwell() {
        ReactivePolicy r = new ReactivePolicy(Duration.ofSeconds(10));
        // The forecast says b's tie will not last; reactive ignores it and goes by what b reads now.
        Map<String, Double> now = Map.of("a", 0.05, "b", 0.95);
        Map<String, Double> ahead = Map.of("a", 1.0, "b", 0.0);
        VolumeView v = volume("db", List.of(primary("a", "ssd")), 0.3, HeatLevel.Warm, now, ahead);
        assertThat(planner.plan(new ClusterView(T0, nodes, List.of(v), List.of(), 0)).actions())
                .as("predictive: the forecast says the reader goes back, so no move").isEmpty();
        assertThat(pass(r, T0, v).actions()).as("b just crossed the bar").isEmpty();
        assertThat(pass(r, T0.plusSeconds(6), v).actions()).as("6 s of 10").isEmpty();
        Plan p = pass(r, T0.plusSeconds(10), v);
        assertThat(of(p, ActionKind.Migrate)).singleElement().satisfies(a -> {
            assertThat(a.toNode()).isEqualTo("b");
            assertThat(a.keepSource()).isFalse();
        });
    }

    @Test
    void aBreakBelowTheBarRestartsTheDwell() {
        ReactivePolicy r = new ReactivePolicy(Duration.ofSeconds(10));
        VolumeView reading = volume("db", List.of(primary("a", "ssd")), 0.3, HeatLevel.Warm,
                Map.of("a", 0.05, "b", 0.95), Map.of());
        VolumeView gone = volume("db", List.of(primary("a", "ssd")), 0.3, HeatLevel.Warm,
                Map.of("a", 0.5, "b", 0.5), Map.of());
        pass(r, T0, reading);
        pass(r, T0.plusSeconds(8), gone);
        assertThat(pass(r, T0.plusSeconds(12), reading).actions()).as("back above the bar only since 12 s").isEmpty();
        assertThat(of(pass(r, T0.plusSeconds(22), reading), ActionKind.Migrate)).hasSize(1);
    }

    @Test
    void withoutDwellItMovesAsSoonAsTheObservedShareClearsTheBar() {
        ReactivePolicy r = new ReactivePolicy(Duration.ZERO);
        VolumeView below = volume("db", List.of(primary("a", "ssd")), 0.3, HeatLevel.Warm,
                Map.of("a", 0.3, "b", 0.7), Map.of("b", 1.0));
        assertThat(pass(r, T0, below).actions()).as("b 0.7 < migrate 0.7 + hysteresis 0.05; forecast ignored")
                .isEmpty();
        VolumeView above = volume("db", List.of(primary("a", "ssd")), 0.3, HeatLevel.Warm,
                Map.of("a", 0.05, "b", 0.95), Map.of());
        assertThat(of(pass(r, T0, above), ActionKind.Migrate)).singleElement()
                .satisfies(a -> assertThat(a.toNode()).isEqualTo("b"));
    }

    @Test
    void aPredictedFailureIsNotActedOn() {
        List<NodeView> failing = List.of(node("a", "z1", 0.95), node("b", "z2", 0.01), node("c", "z3", 0.01));
        VolumeView v = volume("db", List.of(primary("a", "ssd")), 0.3, HeatLevel.Warm, Map.of("a", 1.0),
                Map.of("a", 1.0));
        assertThat(of(planner.plan(new ClusterView(T0, failing, List.of(v), List.of(), 0)), ActionKind.Evacuate))
                .as("predictive evacuates").hasSize(1);
        assertThat(pass(new ReactivePolicy(Duration.ZERO), T0, failing, v).actions()).isEmpty();
    }

    @Test
    void roomIsMadeOnlyForWhatIsUsedNow() {
        // 10 GiB used, 400 GiB forecast: predictive pre-mirrors for the growth, reactive sees 10 GiB + 20% fit.
        NodeView a = new NodeView("a", "z1", true, false, 0.01, 0.9, Map.of("ssd", 50 * PlacementPlannerTest.GIB), 0);
        NodeView b = new NodeView("b", "z2", true, false, 0.01, 0.9, Map.of("ssd", 900 * PlacementPlannerTest.GIB), 0);
        VolumeView v = new VolumeView("grow", 500 * PlacementPlannerTest.GIB, 10 * PlacementPlannerTest.GIB, 1,
                List.of(primary("a", "ssd")), 0.3, HeatLevel.Warm, Map.of("a", 1.0), Map.of("a", 1.0),
                400 * PlacementPlannerTest.GIB, null, java.util.Set.of(), java.util.Set.of());
        assertThat(of(planner.plan(new ClusterView(T0, List.of(a, b), List.of(v), List.of(), 0)),
                ActionKind.PreMirror)).hasSize(1);
        assertThat(pass(new ReactivePolicy(Duration.ZERO), T0, List.of(a, b), v).actions()).isEmpty();
        ClusterView seen = new ReactivePolicy(Duration.ZERO).observe(new ClusterView(T0, List.of(a, b), List.of(v),
                List.of(), 0), settings);
        assertThat(seen.volumes().get(0).capacityForecast().upperBytes()).isEqualTo(10 * PlacementPlannerTest.GIB);
        assertThat(seen.nodes()).allMatch(n -> n.failureProbability() == 0);
    }

    @Test
    void settingsDropPreStagingOnly() {
        PlannerSettings s = new ReactivePolicy(Duration.ZERO).settings(settings);
        assertThat(s.preStagingEnabled()).isFalse();
        assertThat(s.withFailureThreshold(settings.failureThreshold())).usingRecursiveComparison()
                .ignoringFields("preStagingEnabled").isEqualTo(settings);
        assertThatThrownBy(() -> new ReactivePolicy(Duration.ofSeconds(-1))).isInstanceOf(
                IllegalArgumentException.class);
    }
}
