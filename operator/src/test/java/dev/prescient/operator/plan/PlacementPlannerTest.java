package dev.prescient.operator.plan;

import dev.prescient.api.v1alpha1.migration.MigrationReason;
import dev.prescient.operator.plan.ClusterView.InFlight;
import dev.prescient.operator.plan.ClusterView.NodeView;
import dev.prescient.operator.plan.ClusterView.ReplicaView;
import dev.prescient.operator.plan.ClusterView.Role;
import dev.prescient.operator.plan.ClusterView.VolumeView;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Scenario tables for the planner: time steps in, decisions out, each checked against what should happen. */
class PlacementPlannerTest {

    static final long GIB = 1L << 30;
    static final Instant T0 = Instant.parse("2026-11-20T00:00:00Z");

    static NodeView node(String name, String zone, double p) {
        return new NodeView(name, zone, true, false, p, 0.9, Map.of("ssd", 500 * GIB, "nvme", 200 * GIB,
                "hdd", 2000 * GIB), 0);
    }

    static ReplicaView primary(String node, String tier) {
        return new ReplicaView("r-" + node, node, tier, Role.Primary, true, T0, null);
    }

    static VolumeView volume(String name, List<ReplicaView> replicas, double heat, HeatLevel current,
                             Map<String, Double> now, Map<String, Double> ahead) {
        return new VolumeView(name, 20 * GIB, 10 * GIB, 1, replicas, heat, current, now, ahead, 10 * GIB, null,
                Set.of(), Set.of());
    }

    static VolumeView warmVolume(String name, String node) {
        return volume(name, List.of(primary(node, "ssd")), 0.3, HeatLevel.Warm, Map.of(node, 0.5), Map.of(node, 0.5));
    }

    static List<PlannedAction> of(Plan plan, ActionKind kind) {
        return plan.actions().stream().filter(a -> a.kind() == kind).toList();
    }

    final PlacementPlanner planner = new PlacementPlanner(PlannerSettings.defaults());

    @Test
    void dailyHotSpotIsPreStagedBeforeTheReaderMoves() {
        // The reader is on node a from 00:00 to 12:00 and on b from 12:00 to 24:00, every day. The forecast for
        // each node is yesterday's affinity at the same time of day plus the lead time (a seasonal-naive forecast).
        Duration lead = Duration.ofMinutes(30);
        Duration step = Duration.ofMinutes(15);
        List<NodeView> nodes = List.of(node("a", "z1", 0.01), node("b", "z2", 0.01), node("c", "z3", 0.01));
        List<ReplicaView> replicas = new ArrayList<>(List.of(primary("a", "ssd")));
        Instant day2 = T0.plus(Duration.ofDays(1));
        Instant firstPreStage = null;
        String stagedOn = null;
        for (Instant t = day2; t.isBefore(day2.plus(Duration.ofHours(13))); t = t.plus(step)) {
            Instant at = t;
            Map<String, Double> now = affinityAt(at);
            Map<String, Double> ahead = affinityAt(at.plus(lead).minus(Duration.ofDays(1)));
            VolumeView v = volume("db", List.copyOf(replicas), 0.3, HeatLevel.Warm, now, ahead);
            Plan plan = planner.plan(new ClusterView(at, nodes, List.of(v), List.of(), 0));
            assertThat(of(plan, ActionKind.Migrate)).as("no migration while a replica is already where it is read")
                    .allMatch(a -> !a.toNode().equals("a"));
            for (PlannedAction a : of(plan, ActionKind.PreStage)) {
                if (firstPreStage == null) {
                    firstPreStage = at;
                    stagedOn = a.toNode();
                    assertThat(a.keepSource()).isTrue();
                    assertThat(a.expireAfter()).isEqualTo(Duration.ofHours(24));
                    assertThat(a.explanation()).contains("forecast").contains("b");
                    replicas.add(new ReplicaView("r-b", "b", "ssd", Role.PreStaged, true, at, null));
                }
            }
        }
        Instant move = day2.plus(Duration.ofHours(12));
        assertThat(firstPreStage).as("pre-staged at all").isNotNull();
        assertThat(stagedOn).isEqualTo("b");
        assertThat(firstPreStage).isBefore(move).isAfterOrEqualTo(move.minus(lead));
    }

    static Map<String, Double> affinityAt(Instant t) {
        int hour = t.atZone(java.time.ZoneOffset.UTC).getHour();
        boolean morning = hour < 12;
        return Map.of("a", morning ? 0.9 : 0.05, "b", morning ? 0.05 : 0.9, "c", 0.01);
    }

    @Test
    void degradingNodeIsEvacuatedBeforeItFailsAndRolledBackWhenItRecovers() {
        // Failure probability of node a per hour; the real failure would happen at hour 6.
        double[] probability = {0.05, 0.1, 0.2, 0.35, 0.55, 0.7, 0.9};
        List<ReplicaView> replicas = new ArrayList<>(List.of(primary("a", "ssd")));
        Integer evacuatedAt = null;
        for (int h = 0; h < probability.length; h++) {
            Instant at = T0.plus(Duration.ofHours(h));
            List<NodeView> nodes = List.of(node("a", "z1", probability[h]), node("b", "z2", 0.02),
                    node("c", "z3", 0.03));
            VolumeView v = volume("db", List.copyOf(replicas), 0.3, HeatLevel.Warm, Map.of("a", 0.6, "c", 0.2),
                    Map.of("a", 0.6, "c", 0.2));
            Plan plan = planner.plan(new ClusterView(at, nodes, List.of(v), List.of(), 0));
            List<PlannedAction> evac = of(plan, ActionKind.Evacuate);
            if (!evac.isEmpty() && evacuatedAt == null) {
                evacuatedAt = h;
                PlannedAction a = evac.get(0);
                assertThat(a.fromNode()).isEqualTo("a");
                assertThat(a.toNode()).isEqualTo("c"); // the node that reads it, among healthy ones
                assertThat(a.reason()).isEqualTo(MigrationReason.PredictedFailure);
                assertThat(a.keepSource()).isTrue();
                assertThat(a.expireAfter()).isEqualTo(Duration.ofHours(168));
                assertThat(a.explanation()).contains("0.55").contains("threshold 0.50");
                replicas.add(new ReplicaView("r-c", "c", "ssd", Role.Evacuation, true, at, null));
            } else if (evacuatedAt != null) {
                assertThat(evac).as("one evacuation is enough").isEmpty();
            }
        }
        assertThat(evacuatedAt).isEqualTo(4).isLessThan(6);

        // The node recovers. Before rollbackAfter nothing is undone; after it, the evacuation replica goes.
        List<NodeView> healthy = List.of(node("a", "z1", 0.05), node("b", "z2", 0.02), node("c", "z3", 0.03));
        VolumeView v = volume("db", List.copyOf(replicas), 0.3, HeatLevel.Warm, Map.of("a", 0.6), Map.of("a", 0.6));
        Instant early = T0.plus(Duration.ofHours(100));
        assertThat(of(planner.plan(new ClusterView(early, healthy, List.of(v), List.of(), 0)),
                ActionKind.RemoveReplica)).isEmpty();
        Instant late = T0.plus(Duration.ofHours(4 + 168));
        List<PlannedAction> undo = of(planner.plan(new ClusterView(late, healthy, List.of(v), List.of(), 0)),
                ActionKind.RemoveReplica);
        assertThat(undo).singleElement().satisfies(a -> {
            assertThat(a.replicaId()).isEqualTo("r-c");
            assertThat(a.explanation()).contains("false alarm");
        });
        // Still degraded after the window: keep the copy.
        List<NodeView> stillBad = List.of(node("a", "z1", 0.6), node("b", "z2", 0.02), node("c", "z3", 0.03));
        assertThat(of(planner.plan(new ClusterView(late, stillBad, List.of(v), List.of(), 0)),
                ActionKind.RemoveReplica)).isEmpty();
    }

    /**
     * Local mode: node-c's failure probability dipped under the threshold once and the evacuation replica, older than
     * rollbackAfter, was removed 0.7 s later as a false alarm. A rollback needs the node calm (no alert) for
     * rollbackAfter as well as under the threshold minus the hysteresis now.
     */
    @Test
    void anEvacuationIsRolledBackOnlyAfterTheRecoveryLasted() {
        Duration rollbackAfter = PlannerSettings.defaults().rollbackAfter();
        List<ReplicaView> replicas = List.of(primary("a", "ssd"),
                new ReplicaView("r-c", "c", "ssd", Role.Evacuation, true, T0, null));
        VolumeView v = volume("db", replicas, 0.3, HeatLevel.Warm, Map.of("a", 0.6), Map.of("a", 0.6));
        Instant late = T0.plus(rollbackAfter).plus(Duration.ofHours(10));
        java.util.function.Function<Instant, List<PlannedAction>> removalsIfCalmSince = since -> of(planner.plan(
                new ClusterView(late, List.of(new NodeView("a", "z1", true, false, 0.05, 0.9,
                        Map.of("ssd", 500 * GIB), 0, since), node("b", "z2", 0.02), node("c", "z3", 0.03)),
                        List.of(v), List.of(), 0)), ActionKind.RemoveReplica);
        assertThat(removalsIfCalmSince.apply(late.minusSeconds(1))).as("first calm pass").isEmpty();
        assertThat(removalsIfCalmSince.apply(late.minus(rollbackAfter).plusSeconds(1))).as("calm not long enough")
                .isEmpty();
        assertThat(removalsIfCalmSince.apply(null)).as("still alerting").isEmpty();
        assertThat(removalsIfCalmSince.apply(late.minus(rollbackAfter))).singleElement().satisfies(a -> {
            assertThat(a.replicaId()).isEqualTo("r-c");
            assertThat(a.explanation()).contains("false alarm").contains("no alert for rollbackAfter");
        });
    }

    @Test
    void lowConfidencePredictionIsNotActedUpon() {
        NodeView unsure = new NodeView("a", "z1", true, false, 0.9, 0.3, Map.of("ssd", 500 * GIB), 0);
        Plan plan = planner.plan(new ClusterView(T0, List.of(unsure, node("b", "z2", 0)),
                List.of(warmVolume("v", "a")), List.of(), 0));
        assertThat(of(plan, ActionKind.Evacuate)).isEmpty();
    }

    @Test
    void growingVolumeIsPreMirroredBeforeItRunsOutOfRoom() {
        // Node a has 60 GiB free on ssd; the volume grows 4 GiB an hour; the forecast is 24 h ahead.
        long free = 60 * GIB;
        Integer preMirroredAt = null;
        int fullAt = 16; // 4 GiB an hour fills the 60 GiB that were free after 15 hours
        for (int h = 0; h < 40; h++) {
            long used = (10 + 4L * h) * GIB;
            long upper = used + 24 * 4 * GIB + 10 * GIB; // linear trend plus an interval margin
            NodeView a = new NodeView("a", "z1", true, false, 0.01, 0.9, Map.of("ssd", free - (used - 10 * GIB)), 0);
            NodeView b = new NodeView("b", "z2", true, false, 0.01, 0.9, Map.of("ssd", 400 * GIB), 0);
            NodeView c = new NodeView("c", "z3", true, false, 0.01, 0.9, Map.of("ssd", 50 * GIB), 0);
            VolumeView v = new VolumeView("grow", 500 * GIB, used, 1, List.of(primary("a", "ssd")), 0.3,
                    HeatLevel.Warm, Map.of("a", 0.6), Map.of("a", 0.6), upper, null, Set.of(), Set.of());
            Plan plan = planner.plan(new ClusterView(T0.plus(Duration.ofHours(h)), List.of(a, b, c), List.of(v),
                    List.of(), 0));
            List<PlannedAction> pm = of(plan, ActionKind.PreMirror);
            if (!pm.isEmpty()) {
                preMirroredAt = h;
                assertThat(pm.get(0).toNode()).as("only b has room for the forecast size").isEqualTo("b");
                assertThat(pm.get(0).reason()).isEqualTo(MigrationReason.Capacity);
                assertThat(pm.get(0).explanation()).contains("forecast");
                break;
            }
        }
        assertThat(preMirroredAt).isNotNull().isLessThan(fullAt);
    }

    @Test
    void burstDoesNotTriggerAMove() {
        // One pass with a spike of reads from c: the forecast says it does not last.
        VolumeView v = volume("db", List.of(primary("a", "ssd")), 0.62, HeatLevel.Warm,
                Map.of("a", 0.2, "c", 0.95), Map.of("a", 0.6, "c", 0.05));
        Plan plan = planner.plan(new ClusterView(T0, List.of(node("a", "z1", 0), node("c", "z3", 0)), List.of(v),
                List.of(), 0));
        assertThat(plan.actions()).isEmpty();
        // Heat 0.62 is above the hot floor 0.6 but not by the hysteresis margin: the volume stays Warm.
        assertThat(plan.desired().get("db").heat()).isEqualTo(HeatLevel.Warm);
        // A lasting shift (now and forecast agree) does move it.
        VolumeView lasting = volume("db", List.of(primary("a", "ssd")), 0.3, HeatLevel.Warm,
                Map.of("a", 0.1, "c", 0.9), Map.of("a", 0.1, "c", 0.9));
        Plan moved = planner.plan(new ClusterView(T0, List.of(node("a", "z1", 0), node("c", "z3", 0)),
                List.of(lasting), List.of(), 0));
        assertThat(of(moved, ActionKind.Migrate)).singleElement()
                .satisfies(a -> assertThat(a.toNode()).isEqualTo("c"));
    }

    /** Local mode's MirrorPolicy (local/scenarios/local-policy.yaml) as the planner reads it. */
    static PlannerSettings localPolicy() {
        return new PlannerSettings(0.3, 0.5, 0.8,
                new PlannerSettings.HeatTier("Hot", 0.7, "nvme", 1), new PlannerSettings.HeatTier("Warm", 0.3, "ssd", 1),
                new PlannerSettings.HeatTier("Cold", 0.0, "hdd", 1),
                0.2, 0.1, Duration.ofSeconds(10), 2, 4, 200L << 20,
                true, 0.8, 0.5, Duration.ofSeconds(120),
                true, Duration.ofSeconds(90), 1,
                Duration.ofSeconds(60), 20, false, Set.of(), Set.of());
    }

    /** One volume of the flapping scenario: where its primary is and what the planner concluded last pass. */
    static final class Simulated {
        final String name;
        final java.util.function.DoubleUnaryOperator scoreAt;
        String tier;
        HeatLevel heat;
        ClusterView.HeatHistory history;
        Instant lastMove;
        final List<String> moves = new ArrayList<>();

        /** Heat score at t seconds. */
        Simulated(String name, String tier, java.util.function.DoubleUnaryOperator scoreAt) {
            this.name = name;
            this.scoreAt = scoreAt;
            this.tier = tier;
        }

        /** A daily swing of +-0.15 around {@code centre}. */
        static Simulated daily(String name, double centre, String tier, Duration day) {
            return new Simulated(name, tier, t -> centre + 0.15 * Math.sin(2 * Math.PI * t / day.toSeconds()));
        }
    }

    /**
     * Passes of {@code planner} every {@code step} for {@code days} days of length {@code day}, each volume with its
     * heat score at that time, the state carried from pass to pass the way PlannerLoop carries it, and an admitted
     * tier move completed before the next pass. Returns the volumes.
     */
    static List<Simulated> simulate(PlacementPlanner planner, Duration day, Duration step, int days,
                                    List<Simulated> vols) {
        List<NodeView> nodes = List.of(node("node-a", null, 0.01), node("node-b", null, 0.01),
                node("node-c", null, 0.01));
        Map<String, Double> reader = Map.of("node-b", 1.0);
        for (Instant t = T0; t.isBefore(T0.plus(day.multipliedBy(days))); t = t.plus(step)) {
            double seconds = Duration.between(T0, t).toMillis() / 1000.0;
            List<VolumeView> views = new ArrayList<>();
            for (Simulated s : vols) {
                views.add(new VolumeView(s.name, 64L << 20, 48L << 20, 1, List.of(new ReplicaView("r-" + s.name,
                        "node-b", s.tier, Role.Primary, true, T0, null)), s.scoreAt.applyAsDouble(seconds), s.heat,
                        reader, reader, ClusterView.CapacityForecast.upperOnly(48L << 20), s.lastMove, Set.of(),
                        Set.of(), s.history));
            }
            Plan plan = planner.plan(new ClusterView(t, nodes, views, List.of(), 0));
            for (Simulated s : vols) {
                s.heat = plan.desired().get(s.name).heat();
                s.history = plan.desired().get(s.name).heatHistory();
            }
            for (PlannedAction a : of(plan, ActionKind.Retier)) {
                Simulated s = vols.stream().filter(x -> x.name.equals(a.volume())).findFirst().orElseThrow();
                s.moves.add(Duration.between(T0, t).toSeconds() + "s " + a.fromTier() + "->" + a.toTier());
                s.tier = a.toTier();
                s.lastMove = t;
            }
        }
        return vols;
    }

    @Test
    void dailyHeatSwingAroundABoundarySettlesInsteadOfFlapping() {
        // Local mode found this: with its compressed 60 s day, orders-db's score swung around the hot floor and
        // analytics' around the warm floor, and each was retiered back and forth every half day.
        Duration day = Duration.ofSeconds(60);
        List<Simulated> vols = simulate(new PlacementPlanner(localPolicy(), day), day, Duration.ofSeconds(2), 5,
                List.of(Simulated.daily("orders-db", 0.7, "ssd", day), Simulated.daily("analytics", 0.3, "ssd", day)));
        Simulated orders = vols.get(0);
        Simulated analytics = vols.get(1);
        // The same passes with no dwell: how the planner behaved before (10 + 9 tier moves).
        List<Simulated> before = simulate(new PlacementPlanner(localPolicy(), Duration.ZERO), day,
                Duration.ofSeconds(2), 5, List.of(Simulated.daily("orders-db", 0.7, "ssd", day),
                        Simulated.daily("analytics", 0.3, "ssd", day)));
        System.out.printf("daily swing, 5 days: without a dwell orders-db %d, analytics %d tier moves; with: orders-db"
                        + " %d %s, analytics %d %s%n", before.get(0).moves.size(), before.get(1).moves.size(),
                orders.moves.size(), orders.moves, analytics.moves.size(), analytics.moves);
        assertThat(before.get(0).moves).hasSizeGreaterThanOrEqualTo(9);
        assertThat(before.get(1).moves).hasSizeGreaterThanOrEqualTo(9);
        // orders-db starts in the class of its tier (Warm, ssd) and is promoted once its score clears the hot floor
        // plus the margin (0.8, 8 s in), then stays on its peak's tier; analytics never stays below the warm floor
        // minus the margin for a day, so it stays on ssd.
        assertThat(orders.moves).as("orders-db").containsExactly("8s ssd->nvme");
        assertThat(analytics.moves).as("analytics").isEmpty();
        assertThat(orders.tier).isEqualTo("nvme");
        assertThat(analytics.tier).isEqualTo("ssd");
    }

    @Test
    void heatThatStaysLowLongerThanADayAndComesBackSettlesAfterAFewMoves() {
        // Not daily: analytics in a loaded local run stayed below the warm floor - margin for more than a day, then
        // came back. Here warm (0.45) for 10 s, then cold (0.1) for 70 s, over and over for 20 local days.
        Duration day = Duration.ofSeconds(60);
        java.util.function.DoubleUnaryOperator bursty = t -> t % 80 < 10 ? 0.45 : 0.1;
        List<Simulated> settled = simulate(new PlacementPlanner(localPolicy(), day), day, Duration.ofSeconds(2), 20,
                List.of(new Simulated("analytics", "ssd", bursty)));
        // The same passes with no dwell: how the planner behaved before (demoted at once, promoted at once).
        List<Simulated> before = simulate(new PlacementPlanner(localPolicy(), Duration.ZERO), day,
                Duration.ofSeconds(2), 20, List.of(new Simulated("analytics", "ssd", bursty)));
        System.out.printf("bursty heat, 20 days: %d tier moves without a dwell, %d with: %s%n",
                before.get(0).moves.size(), settled.get(0).moves.size(), settled.get(0).moves);
        assertThat(before.get(0).moves).hasSizeGreaterThan(20);
        // One demotion after a day of cooling, one prompt promotion back; from then on cooling needs two days.
        assertThat(settled.get(0).moves).containsExactly("70s ssd->hdd", "80s hdd->ssd");
    }

    @Test
    void volumeTurningHotIsPromotedAtOnceAndOneTurningColdIsDemotedAfterADay() {
        Duration day = Duration.ofSeconds(60);
        PlacementPlanner p = new PlacementPlanner(localPolicy(), day);
        List<NodeView> nodes = List.of(node("node-a", null, 0.01), node("node-b", null, 0.01));
        Map<String, Double> reader = Map.of("node-a", 1.0);
        String tier = "ssd";
        HeatLevel heat = HeatLevel.Warm;
        ClusterView.HeatHistory history = null;
        Instant lastMove = null;
        List<String> moves = new ArrayList<>();
        // Warm for 30 s, hot for 60 s, then cold for good; a pass every 2 s.
        for (int s = 0; s < 240; s += 2) {
            double score = s < 30 ? 0.5 : s < 90 ? 0.9 : 0.05;
            Instant t = T0.plusSeconds(s);
            VolumeView v = new VolumeView("orders-db", 64L << 20, 48L << 20, 1, List.of(new ReplicaView("r",
                    "node-a", tier, Role.Primary, true, T0, null)), score, heat, reader, reader,
                    ClusterView.CapacityForecast.upperOnly(48L << 20), lastMove, Set.of(), Set.of(), history);
            Plan plan = p.plan(new ClusterView(t, nodes, List.of(v), List.of(), 0));
            heat = plan.desired().get("orders-db").heat();
            history = plan.desired().get("orders-db").heatHistory();
            for (PlannedAction a : of(plan, ActionKind.Retier)) {
                moves.add(s + "s " + a.toTier());
                if (a.toTier().equals("hdd")) {
                    assertThat(a.explanation()).contains("Cold");
                    assertThat(plan.desired().get("orders-db").explanation()).contains("demoted from Hot");
                }
                tier = a.toTier();
                lastMove = t;
            }
        }
        // Promoted on the first pass it is hot; demoted straight to hdd once it has been cold for a whole day.
        assertThat(moves).containsExactly("30s nvme", "150s hdd");
    }

    @Test
    void noTierMoveOntoANodePredictedToFail() {
        // Local mode found this: a warm volume's primary on a failing node's hdd, its evacuation copy elsewhere;
        // the planner retiered it to that same failing node's ssd.
        List<NodeView> nodes = List.of(node("a", "z1", 0.9), node("b", "z2", 0.02), node("c", "z3", 0.03));
        VolumeView v = volume("archive", List.of(primary("a", "hdd"),
                        new ReplicaView("r-c", "c", "hdd", Role.Evacuation, true, T0, null)), 0.6, HeatLevel.Warm,
                Map.of("a", 0.5), Map.of("a", 0.5));
        Plan plan = planner.plan(new ClusterView(T0, nodes, List.of(v), List.of(), 0));
        assertThat(plan.actions()).noneSatisfy(a -> assertThat(a.toNode()).isEqualTo("a"));
        // The same volume on a healthy node does move to its class's tier.
        List<NodeView> healthy = List.of(node("a", "z1", 0.02), node("b", "z2", 0.02), node("c", "z3", 0.03));
        VolumeView plain = volume("archive", List.of(primary("a", "hdd")), 0.6, HeatLevel.Warm, Map.of("a", 0.5),
                Map.of("a", 0.5));
        assertThat(of(planner.plan(new ClusterView(T0, healthy, List.of(plain), List.of(), 0)), ActionKind.Retier))
                .singleElement().satisfies(a -> assertThat(a.toTier()).isEqualTo("ssd"));
    }

    @Test
    void retierOnAHealthyNodeMovesOnlyThePrimaryAndKeepsTheCopyElsewhere() {
        // Local mode's archive: node-c was predicted to fail, so archive got a copy on node-a/hdd; node-c recovered
        // (the copy is younger than rollbackAfter) and archive, cold, is retiered ssd -> hdd on node-c. The same
        // with a lasting mirror on node-a (spec.replicas 2) instead of an evacuation copy.
        List<NodeView> nodes = List.of(node("node-a", "z1", 0.02), node("node-b", "z2", 0.02),
                node("node-c", "z3", 0.05));
        Instant now = T0.plus(Duration.ofHours(1));
        Map<String, Double> reader = Map.of("node-c", 1.0);
        for (ReplicaView copy : List.of(new ReplicaView("r-evac", "node-a", "hdd", Role.Evacuation, true, T0, null),
                new ReplicaView("r-mirror", "node-a", "hdd", Role.Mirror, true, T0, null))) {
            int base = copy.role() == Role.Mirror ? 2 : 1;
            VolumeView v = new VolumeView("archive", 20 * GIB, 10 * GIB, base, List.of(primary("node-c", "ssd"), copy),
                    0.05, HeatLevel.Cold, reader, reader, 10 * GIB, null, Set.of(), Set.of());
            Plan plan = planner.plan(new ClusterView(now, nodes, List.of(v), List.of(), 0));
            PlannedAction retier = plan.actions().get(0);
            assertThat(plan.actions()).as(copy.id()).singleElement().satisfies(a -> {
                assertThat(a.kind()).isEqualTo(ActionKind.Retier);
                assertThat(a.fromNode() + "/" + a.fromTier()).isEqualTo("node-c/ssd");
                assertThat(a.toNode() + "/" + a.toTier()).isEqualTo("node-c/hdd");
                assertThat(a.keepSource()).isFalse();
            });
            // As the VolumeMigration the executor runs: its source is the volume's replica on from.node/from.tier
            // (MigrationExecutor.findSourceOrNull), the only one it switches away from and deletes.
            var spec = MigrationFactory.toMigration(retier, retier.bandwidthBytesPerSecond(), now).getSpec();
            assertThat(spec.getFrom().getNode() + "/" + spec.getFrom().getTier()).isEqualTo("node-c/ssd");
            assertThat(spec.getTo().getNode() + "/" + spec.getTo().getTier()).isEqualTo("node-c/hdd");
            assertThat(spec.getKeepSource()).isFalse();
            // While it runs and after it ended, the copy on node-a is neither removed nor moved.
            Plan during = planner.plan(new ClusterView(now.plusSeconds(5), nodes, List.of(v),
                    List.of(new InFlight("archive", "node-c", "node-c", 200L << 20)), 0));
            assertThat(during.actions()).as(copy.id()).isEmpty();
            VolumeView moved = new VolumeView("archive", 20 * GIB, 10 * GIB, base,
                    List.of(new ReplicaView("archive-retier-r", "node-c", "hdd", Role.Primary, true, now, null), copy),
                    0.05, HeatLevel.Cold, reader, reader, 10 * GIB, now.plusSeconds(30), Set.of(), Set.of());
            Plan after = planner.plan(new ClusterView(now.plus(Duration.ofHours(1)), nodes, List.of(moved), List.of(),
                    0));
            assertThat(after.actions()).as(copy.id()).isEmpty();
            assertThat(after.deferred()).as(copy.id()).isEmpty();
            // node-c predicted to fail again: no tier move onto it, and the copy on node-a stays.
            List<NodeView> failing = List.of(node("node-a", "z1", 0.02), node("node-b", "z2", 0.02),
                    node("node-c", "z3", 0.9));
            Plan risky = planner.plan(new ClusterView(now, failing, List.of(v), List.of(), 0));
            assertThat(risky.actions()).as(copy.id()).noneSatisfy(a -> assertThat(a.toNode()).isEqualTo("node-c"))
                    .noneSatisfy(a -> assertThat(a.kind()).isEqualTo(ActionKind.RemoveReplica));
        }
    }

    @Test
    void hotVolumeIsRetieredThenMirrored() {
        VolumeView hot = volume("h", List.of(primary("a", "ssd")), 0.9, HeatLevel.Hot, Map.of("a", 0.8, "b", 0.3),
                Map.of("a", 0.8));
        List<NodeView> nodes = List.of(node("a", "z1", 0), node("b", "z2", 0), node("c", "z3", 0));
        Plan p1 = planner.plan(new ClusterView(T0, nodes, List.of(hot), List.of(), 0));
        assertThat(p1.actions()).singleElement().satisfies(a -> {
            assertThat(a.kind()).isEqualTo(ActionKind.Retier);
            assertThat(a.toNode()).isEqualTo("a");
            assertThat(a.toTier()).isEqualTo("nvme");
        });
        VolumeView retiered = volume("h", List.of(primary("a", "nvme")), 0.9, HeatLevel.Hot,
                Map.of("a", 0.8, "b", 0.3), Map.of("a", 0.8));
        Plan p2 = planner.plan(new ClusterView(T0, nodes, List.of(retiered), List.of(), 0));
        assertThat(p2.actions()).singleElement().satisfies(a -> {
            assertThat(a.kind()).isEqualTo(ActionKind.AddMirror);
            assertThat(a.toNode()).isEqualTo("b");
            assertThat(a.toTier()).isEqualTo("nvme");
        });
        assertThat(p2.desired().get("h").replicas()).isEqualTo(2);
        // Cooled down to Cold: the surplus mirror goes.
        VolumeView cold = volume("h", List.of(primary("a", "hdd"),
                        new ReplicaView("r-b", "b", "hdd", Role.Mirror, true, T0, null)), 0.05, HeatLevel.Cold,
                Map.of("a", 0.8, "b", 0.1), Map.of("a", 0.8));
        Plan p3 = planner.plan(new ClusterView(T0, nodes, List.of(cold), List.of(), 0));
        assertThat(of(p3, ActionKind.RemoveReplica)).singleElement()
                .satisfies(a -> assertThat(a.replicaId()).isEqualTo("r-b"));
    }

    @Test
    void nothingIsRemovedFromAVolumeBeingMoved() {
        // A retier in flight: the new copy on nvme and its source on ssd both look like replicas of a Cold
        // volume that wants one; dropping either before the move ended would lose the volume.
        List<NodeView> nodes = List.of(node("a", "z1", 0), node("b", "z2", 0));
        VolumeView moving = volume("h", List.of(primary("a", "ssd"),
                        new ReplicaView("h-retier-r", "a", "nvme", Role.Mirror, true, T0, null)), 0.05, HeatLevel.Cold,
                Map.of("a", 0.8), Map.of("a", 0.8));
        Plan busy = planner.plan(new ClusterView(T0, nodes, List.of(moving),
                List.of(new InFlight("h", "a", "a", 200L << 20)), 0));
        assertThat(of(busy, ActionKind.RemoveReplica)).isEmpty();
        Plan after = planner.plan(new ClusterView(T0, nodes, List.of(moving), List.of(), 0));
        assertThat(of(after, ActionKind.RemoveReplica)).as("once it ended, the surplus goes").hasSize(1);
    }

    @Test
    void exclusionsAreHonoured() {
            PlacementPlanner excluding = new PlacementPlanner(PlannerSettings.defaults()
                    .withExclusions(Set.of("pinned"), Set.of("b")));
            List<NodeView> nodes = List.of(node("a", "z1", 0.9), node("b", "z2", 0), node("c", "z3", 0));
            Plan plan = excluding.plan(new ClusterView(T0, nodes,
                    List.of(warmVolume("pinned", "a"), warmVolume("free", "a")), List.of(), 0));
            assertThat(plan.actions()).singleElement().satisfies(a -> {
                assertThat(a.volume()).isEqualTo("free");
                assertThat(a.toNode()).as("b is excluded").isEqualTo("c");
            });
            assertThat(plan.desired().get("pinned").explanation()).contains("excluded");
    }

    @Test
    void cordonedNodesAndRequiredZonesAreNotTargets() {
        NodeView cordoned = new NodeView("b", "z2", true, true, 0, 0.9, Map.of("ssd", 900 * GIB), 0);
        VolumeView v = new VolumeView("v", 20 * GIB, 10 * GIB, 1, List.of(primary("a", "ssd")), 0.3, HeatLevel.Warm,
                Map.of(), Map.of(), 10 * GIB, null, Set.of(), Set.of("z1", "z4"));
        Plan plan = planner.plan(new ClusterView(T0, List.of(node("a", "z1", 0.9), cordoned, node("c", "z3", 0),
                node("d", "z4", 0)), List.of(v), List.of(), 0));
        assertThat(of(plan, ActionKind.Evacuate)).singleElement()
                .satisfies(a -> assertThat(a.toNode()).isEqualTo("d"));
    }

    @Test
    void spreadByZoneKeepsCopiesInDifferentZones() {
        PlacementPlanner zoned = new PlacementPlanner(PlannerSettings.defaults().withSpreadByZone(true));
        VolumeView hot = volume("h", List.of(primary("a", "nvme")), 0.9, HeatLevel.Hot, Map.of("a2", 0.9),
                Map.of());
        Plan plan = zoned.plan(new ClusterView(T0, List.of(node("a", "z1", 0), node("a2", "z1", 0),
                node("b", "z2", 0)), List.of(hot), List.of(), 0));
        assertThat(of(plan, ActionKind.AddMirror)).singleElement()
                .satisfies(a -> assertThat(a.toNode()).isEqualTo("b"));
    }

    @Test
    void concurrencyAndBandwidthLimitsDeferTheRest() {
        List<VolumeView> vols = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            vols.add(warmVolume("v" + i, "a"));
        }
        List<NodeView> nodes = new ArrayList<>(List.of(node("a", "z1", 0.9)));
        for (int i = 0; i < 10; i++) {
            nodes.add(node("n" + i, "z2", 0));
        }
        PlacementPlanner limited = new PlacementPlanner(PlannerSettings.defaults().withLimits(3, 10));
        Plan plan = limited.plan(new ClusterView(T0, nodes, vols, List.of(), 0));
        assertThat(of(plan, ActionKind.Evacuate)).hasSize(3);
        assertThat(plan.deferred()).hasSize(7).allMatch(d -> d.why().contains("per-node concurrency limit 3"));

        // One already in flight from a: only two more.
        Plan busy = limited.plan(new ClusterView(T0, nodes, vols,
                List.of(new InFlight("other", "a", "n9", 200L << 20)), 0));
        assertThat(of(busy, ActionKind.Evacuate)).hasSize(2);

        // Cluster-wide limit.
        PlacementPlanner tight = new PlacementPlanner(PlannerSettings.defaults().withLimits(10, 4));
        assertThat(of(tight.plan(new ClusterView(T0, nodes, vols, List.of(), 0)), ActionKind.Evacuate)).hasSize(4);

        // Cluster bandwidth: 1 GiB/s admits five 200 MiB/s migrations.
        PlacementPlanner wide = new PlacementPlanner(PlannerSettings.defaults().withLimits(10, 10));
        Plan bw = wide.plan(new ClusterView(T0, nodes, vols, List.of(), GIB));
        assertThat(of(bw, ActionKind.Evacuate)).hasSize(5);
        assertThat(bw.deferred()).allMatch(d -> d.why().contains("bandwidth"));

        // Per-node bandwidth on the source node.
        List<NodeView> slow = new ArrayList<>(nodes);
        slow.set(0, new NodeView("a", "z1", true, false, 0.9, 0.9, Map.of("ssd", 500 * GIB), 450L << 20));
        assertThat(of(wide.plan(new ClusterView(T0, slow, vols, List.of(), 0)), ActionKind.Evacuate)).hasSize(2);
    }

    @Test
    void coolDownDefersOrdinaryMovesButNotEvacuations() {
        Instant justMoved = T0.minus(Duration.ofMinutes(3));
        VolumeView v = new VolumeView("v", 20 * GIB, 10 * GIB, 1, List.of(primary("a", "ssd")), 0.3, HeatLevel.Warm,
                Map.of("a", 0.1, "c", 0.9), Map.of("a", 0.1, "c", 0.9), 10 * GIB, justMoved, Set.of(), Set.of());
        Plan plan = planner.plan(new ClusterView(T0, List.of(node("a", "z1", 0), node("c", "z3", 0)), List.of(v),
                List.of(), 0));
        assertThat(plan.actions()).isEmpty();
        assertThat(plan.deferred()).singleElement().satisfies(d -> assertThat(d.why()).contains("cool-down"));
        Plan failing = planner.plan(new ClusterView(T0, List.of(node("a", "z1", 0.8), node("c", "z3", 0)),
                List.of(v), List.of(), 0));
        assertThat(of(failing, ActionKind.Evacuate)).hasSize(1);
    }

    @Test
    void preStagedReplicaNeverReadExpires() {
        ReplicaView staged = new ReplicaView("r-b", "b", "ssd", Role.PreStaged, true, T0, null);
        VolumeView v = volume("v", List.of(primary("a", "ssd"), staged), 0.3, HeatLevel.Warm, Map.of("a", 0.5),
                Map.of("a", 0.5));
        List<NodeView> nodes = List.of(node("a", "z1", 0), node("b", "z2", 0));
        assertThat(planner.plan(new ClusterView(T0.plus(Duration.ofHours(23)), nodes, List.of(v), List.of(), 0))
                .actions()).isEmpty();
        assertThat(of(planner.plan(new ClusterView(T0.plus(Duration.ofHours(24)), nodes, List.of(v), List.of(), 0)),
                ActionKind.RemoveReplica)).singleElement()
                .satisfies(a -> assertThat(a.explanation()).contains("never read"));
        // A replica that is read stays.
        ReplicaView read = new ReplicaView("r-b", "b", "ssd", Role.PreStaged, true, T0, T0.plus(Duration.ofHours(20)));
        VolumeView used = volume("v", List.of(primary("a", "ssd"), read), 0.3, HeatLevel.Warm, Map.of("a", 0.5),
                Map.of("a", 0.5));
        assertThat(planner.plan(new ClusterView(T0.plus(Duration.ofHours(30)), nodes, List.of(used), List.of(), 0))
                .actions()).isEmpty();
    }

    @Test
    void samePlanForSameView() {
        List<VolumeView> vols = new ArrayList<>();
        Map<String, Double> aff = new HashMap<>();
        aff.put("b", 0.9);
        for (int i = 0; i < 20; i++) {
            vols.add(volume("v" + i, List.of(primary("a", "ssd")), 0.3, HeatLevel.Warm, aff, aff));
        }
        ClusterView view = new ClusterView(T0, List.of(node("a", "z1", 0), node("b", "z2", 0)), vols, List.of(), 0);
        assertThat(planner.plan(view)).isEqualTo(planner.plan(view));
    }

    /** Ten volumes on failing node a, each to evacuate to its own healthy node: what limits admit. */
    static Plan evacuations(PlannerSettings settings, OperatorLimits limits, List<InFlight> inFlight) {
        List<VolumeView> vols = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            vols.add(warmVolume("v" + i, "a"));
        }
        List<NodeView> nodes = new ArrayList<>(List.of(node("a", "z1", 0.9)));
        for (int i = 0; i < 10; i++) {
            nodes.add(node("n" + i, "z2", 0));
        }
        return new PlacementPlanner(settings).plan(new ClusterView(T0, nodes, vols, inFlight, limits));
    }

    record LimitCase(String name, int policyPerNode, int policyCluster, OperatorLimits limits, List<InFlight> inFlight,
                     int admitted, long bandwidthEach, String deferredWhy) {
    }

    @Test
    void operatorLimitsOnTopOfPolicyLimits() {
        long mib = 1L << 20;
        List<LimitCase> table = List.of(
                new LimitCase("policy only", 10, 10, OperatorLimits.none(), List.of(), 10, 200 * mib, null),
                new LimitCase("operator cluster concurrency tighter", 10, 10,
                        new OperatorLimits(3, 0, 0, 0, Map.of()), List.of(), 3, 200 * mib,
                        "cluster-wide concurrency limit 3 reached (operator limit)"),
                new LimitCase("policy cluster concurrency tighter", 10, 2,
                        new OperatorLimits(3, 0, 0, 0, Map.of()), List.of(), 2, 200 * mib,
                        "cluster-wide concurrency limit 2 reached (policy limit)"),
                new LimitCase("operator per-node concurrency", 10, 10,
                        new OperatorLimits(0, 0, 4, 0, Map.of()), List.of(), 4, 200 * mib,
                        "per-node concurrency limit 4 reached on a (operator limit)"),
                new LimitCase("node override replaces the per-node default", 10, 10,
                        new OperatorLimits(0, 0, 4, 0, Map.of("a", new OperatorLimits.NodeLimit(1, null))),
                        List.of(), 1, 200 * mib, "per-node concurrency limit 1 reached on a"),
                new LimitCase("in-flight moves of other policies count", 10, 10,
                        new OperatorLimits(5, 0, 0, 0, Map.of()),
                        List.of(new InFlight("other-policy-vol", "x", "y", 100 * mib),
                                new InFlight("manual", "n3", "z", 100 * mib)), 3, 200 * mib,
                        "cluster-wide concurrency limit 5"),
                // A slow source node: moves are granted its bandwidth, not refused for want of the policy's 200Mi.
                new LimitCase("per-node bandwidth clips the grant", 10, 10,
                        new OperatorLimits(0, 0, 0, 0, Map.of("a", new OperatorLimits.NodeLimit(null, 50 * mib))),
                        List.of(), 1, 50 * mib, "bandwidth limit 52428800 B/s reached on a"),
                new LimitCase("per-node bandwidth default", 10, 10,
                        new OperatorLimits(0, 0, 0, 400 * mib, Map.of()), List.of(), 2, 200 * mib,
                        "bandwidth limit 419430400 B/s reached on a"),
                new LimitCase("cluster bandwidth", 10, 10,
                        new OperatorLimits(0, 500 * mib, 0, 0, Map.of()), List.of(), 3, 200 * mib,
                        "cluster-wide bandwidth limit"));
        for (LimitCase c : table) {
            Plan plan = evacuations(PlannerSettings.defaults().withLimits(c.policyPerNode(), c.policyCluster()),
                    c.limits(), c.inFlight());
            List<PlannedAction> admitted = of(plan, ActionKind.Evacuate);
            assertThat(admitted).as(c.name()).hasSize(c.admitted());
            // The last admitted one may get what was left (cluster bandwidth: 200, 200, 100).
            assertThat(admitted.get(0).bandwidthBytesPerSecond()).as(c.name()).isEqualTo(c.bandwidthEach());
            assertThat(admitted).as(c.name()).allMatch(a -> a.bandwidthBytesPerSecond() <= c.bandwidthEach());
            if (c.deferredWhy() == null) {
                assertThat(plan.deferred()).as(c.name()).isEmpty();
            } else {
                assertThat(plan.deferred()).as(c.name()).hasSize(10 - c.admitted())
                        .allSatisfy(d -> assertThat(d.why()).contains(c.deferredWhy()));
            }
        }
    }

    @Test
    void perNodeLimitsParseFromConfig() {
        Map<String, OperatorLimits.NodeLimit> m = OperatorLimits.parseNodes(" node-a=2:100Mi, node-b=:50Mi,node-c=1 ");
        assertThat(m).containsEntry("node-a", new OperatorLimits.NodeLimit(2, 100L << 20))
                .containsEntry("node-b", new OperatorLimits.NodeLimit(null, 50L << 20))
                .containsEntry("node-c", new OperatorLimits.NodeLimit(1, null));
        assertThat(OperatorLimits.parseNodes("")).isEmpty();
        for (String bad : List.of("node-a", "node-a=x", "node-a=1:fast", "a=1,a=2", "a=1:2:3", "a=-1")) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> OperatorLimits.parseNodes(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("per-node limit");
        }
    }
    @Test
    void aNewVolumeWithNoHeatYetIsNotDemotedFromTheTierItWasCreatedOn() {
        // No class remembered (a new volume, first passes): score 0 because its heat has not built up yet.
        PlacementPlanner p = new PlacementPlanner(PlannerSettings.defaults(), Duration.ofMinutes(1));
        List<NodeView> nodes = List.of(node("a", "z1", 0.01));
        HeatLevel current = null;
        ClusterView.HeatHistory history = null;
        for (int s = 0; s < 50; s += 2) {
            VolumeView v = new VolumeView("new", 20 * GIB, GIB, 1, List.of(primary("a", "ssd")), 0.0, current,
                    Map.of(), Map.of(), null, null, Set.of(), Set.of(), history);
            Plan plan = p.plan(new ClusterView(T0.plusSeconds(s), nodes, List.of(v), List.of(), 0));
            assertThat(of(plan, ActionKind.Retier)).as("second %d", s).isEmpty();
            Plan.DesiredPlacement d = plan.desired().get("new");
            assertThat(d.heat()).as("the class of the tier it is on").isEqualTo(HeatLevel.Warm);
            current = d.heat();
            history = d.heatHistory();
        }
        // Only a whole day (here a minute) below the class floor - hysteresis demotes it, as for any volume.
        VolumeView v = new VolumeView("new", 20 * GIB, GIB, 1, List.of(primary("a", "ssd")), 0.0, current,
                Map.of(), Map.of(), null, null, Set.of(), Set.of(), history);
        Plan later = p.plan(new ClusterView(T0.plusSeconds(61), nodes, List.of(v), List.of(), 0));
        assertThat(of(later, ActionKind.Retier)).singleElement().satisfies(a -> assertThat(a.toTier()).isEqualTo("hdd"));
    }

    @Test
    void aNewVolumeThatIsHotFromTheStartIsStillPromotedAtOnce() {
        VolumeView v = new VolumeView("hot", 20 * GIB, GIB, 1, List.of(primary("a", "ssd")), 0.9, null,
                Map.of(), Map.of(), null, null, Set.of(), Set.of(), null);
        Plan plan = planner.plan(new ClusterView(T0, List.of(node("a", "z1", 0.01)), List.of(v), List.of(), 0));
        assertThat(of(plan, ActionKind.Retier)).singleElement().satisfies(a -> assertThat(a.toTier()).isEqualTo("nvme"));
    }

    @Test
    void aReaderReturningWithinADayToWhereThePrimaryCameFromGetsAKeptCopyNotTheVolumeMovedBack() {
        // Local mode's orders-db: read from node-a by day, node-b by night. Its primary followed the reader a -> b
        // (the first day has no forecast profile yet); half a day later the reader is back on a.
        PlacementPlanner p = new PlacementPlanner(localPolicy(), Duration.ofSeconds(60));
        List<NodeView> nodes = List.of(node("a", null, 0.01), node("b", null, 0.01));
        Instant moved = T0.plusSeconds(40);
        VolumeView back = new VolumeView("orders", 48L << 20, 9L << 20, 1, List.of(primary("b", "nvme")), 0.8,
                HeatLevel.Hot, Map.of("a", 0.95, "b", 0.05), Map.of("a", 0.95, "b", 0.05), null, moved, Set.of(),
                Set.of(), null, "a");
        Plan plan = p.plan(new ClusterView(moved.plusSeconds(30), nodes, List.of(back), List.of(), 0));
        assertThat(of(plan, ActionKind.Migrate)).as("no move back within a day").isEmpty();
        assertThat(of(plan, ActionKind.PreStage)).singleElement().satisfies(a -> {
            assertThat(a.toNode()).isEqualTo("a");
            assertThat(a.keepSource()).isTrue();
            assertThat(a.explanation()).contains("left a at its last move");
        });
        // A reader on a node the primary never left, or back after more than a day: the primary follows it.
        VolumeView elsewhere = new VolumeView("orders", 48L << 20, 9L << 20, 1, List.of(primary("b", "nvme")), 0.8,
                HeatLevel.Hot, Map.of("a", 0.95, "b", 0.05), Map.of("a", 0.95, "b", 0.05), null, moved, Set.of(),
                Set.of(), null, "c");
        assertThat(of(p.plan(new ClusterView(moved.plusSeconds(30), nodes, List.of(elsewhere), List.of(), 0)),
                ActionKind.Migrate)).singleElement().satisfies(a -> assertThat(a.toNode()).isEqualTo("a"));
        assertThat(of(p.plan(new ClusterView(moved.plusSeconds(61), nodes, List.of(back), List.of(), 0)),
                ActionKind.Migrate)).singleElement().satisfies(a -> assertThat(a.toNode()).isEqualTo("a"));
    }

    @Test
    void aDemotionNotYetCarriedOutIsDroppedWhenTheScoreIsBackInsideTheBand() {
        // orders-db in local mode: classified Cold while its migration to node-b ran (the tier move had to wait);
        // when the migration ended its score was back at 0.38, inside Warm's band (0.2..0.8 with hysteresis 0.1).
        PlacementPlanner p = new PlacementPlanner(localPolicy(), Duration.ofSeconds(60));
        List<NodeView> nodes = List.of(node("b", null, 0.01));
        VolumeView back = new VolumeView("orders", 48L << 20, 9L << 20, 1, List.of(primary("b", "ssd")), 0.38,
                HeatLevel.Cold, Map.of("b", 0.9), Map.of("b", 0.9), null, T0, Set.of(), Set.of(), null);
        Plan plan = p.plan(new ClusterView(T0.plusSeconds(30), nodes, List.of(back), List.of(), 0));
        assertThat(of(plan, ActionKind.Retier)).isEmpty();
        assertThat(plan.desired().get("orders").heat()).isEqualTo(HeatLevel.Warm);
        assertThat(plan.desired().get("orders").explanation()).contains("not carried out");
        // Still below the band: the demotion goes ahead.
        VolumeView cold = new VolumeView("orders", 48L << 20, 9L << 20, 1, List.of(primary("b", "ssd")), 0.12,
                HeatLevel.Cold, Map.of("b", 0.9), Map.of("b", 0.9), null, T0, Set.of(), Set.of(), null);
        assertThat(of(p.plan(new ClusterView(T0.plusSeconds(30), nodes, List.of(cold), List.of(), 0)),
                ActionKind.Retier)).singleElement().satisfies(a -> assertThat(a.toTier()).isEqualTo("hdd"));
    }

    @Test
    void aPromotionIsNotUndoneWithinTheCoolDownNorWhileTheScoreStaysInsideTheBand() {
        // Promoted to nvme (Hot, floor 0.6) 5 s ago; the score dips to 0.58: inside the band (floor - hysteresis
        // 0.55) -> kept. Then below the band, but the cool-down (10 min) has not passed -> no move back either.
        PlacementPlanner p = new PlacementPlanner(PlannerSettings.defaults(), Duration.ofSeconds(1));
        Instant moved = T0;
        List<NodeView> nodes = List.of(node("a", "z1", 0.01));
        VolumeView inBand = new VolumeView("v", 20 * GIB, GIB, 1, List.of(primary("a", "nvme")), 0.58, HeatLevel.Hot,
                Map.of(), Map.of(), null, moved, Set.of(), Set.of(), null);
        Plan a = p.plan(new ClusterView(moved.plusSeconds(5), nodes, List.of(inBand), List.of(), 0));
        assertThat(a.desired().get("v").heat()).isEqualTo(HeatLevel.Hot);
        assertThat(a.actions()).isEmpty();
        assertThat(a.deferred()).isEmpty();
        ClusterView.HeatHistory cooling = new ClusterView.HeatHistory(moved.plusSeconds(1), 0.3, null, 0);
        VolumeView below = new VolumeView("v", 20 * GIB, GIB, 1, List.of(primary("a", "nvme")), 0.3, HeatLevel.Hot,
                Map.of(), Map.of(), null, moved, Set.of(), Set.of(), cooling);
        Plan b = p.plan(new ClusterView(moved.plusSeconds(5), nodes, List.of(below), List.of(), 0));
        assertThat(b.actions()).isEmpty();
        assertThat(b.deferred()).singleElement().satisfies(d -> assertThat(d.why()).contains("cool-down"));
        // After the cool-down, with the score still below the band for the whole dwell, the move back is allowed.
        Plan c = p.plan(new ClusterView(moved.plus(Duration.ofMinutes(11)), nodes, List.of(below), List.of(), 0));
        assertThat(of(c, ActionKind.Retier)).singleElement().satisfies(x -> assertThat(x.toTier()).isEqualTo("ssd"));
    }

    @Test
    void theClassOfAVolumeBeingCopiedWaitsUntilTheCopyEnded() {
        // Local mode: archive (score 0.10) demoted ssd -> hdd; the copy's own I/O lifted its score to 0.52 while in
        // flight, which promoted it back at once. In flight the class holds; after, the score decides again.
        PlacementPlanner p = new PlacementPlanner(localPolicy(), Duration.ofSeconds(60));
        List<NodeView> nodes = List.of(node("node-c", null, 0.01));
        VolumeView copying = new VolumeView("archive", 64L << 20, 16L << 20, 1, List.of(primary("node-c", "hdd"),
                new ReplicaView("old", "node-c", "ssd", Role.Mirror, true, T0, null)), 0.52, HeatLevel.Cold, Map.of(),
                Map.of(), null, null, Set.of(), Set.of(), null);
        Plan during = p.plan(new ClusterView(T0, nodes, List.of(copying),
                List.of(new InFlight("archive", "node-c", "node-c", 0)), 0));
        assertThat(during.desired().get("archive").heat()).isEqualTo(HeatLevel.Cold);
        assertThat(during.desired().get("archive").explanation()).contains("held while a migration");
        VolumeView after = new VolumeView("archive", 64L << 20, 16L << 20, 1, List.of(primary("node-c", "hdd")), 0.12,
                HeatLevel.Cold, Map.of(), Map.of(), null, T0.plusSeconds(20), Set.of(), Set.of(), null);
        Plan done = p.plan(new ClusterView(T0.plusSeconds(22), nodes, List.of(after), List.of(), 0));
        assertThat(done.desired().get("archive").heat()).isEqualTo(HeatLevel.Cold);
        assertThat(done.actions()).isEmpty();
    }
}
