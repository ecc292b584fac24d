package dev.prescient.operator.plan;

import dev.prescient.operator.plan.ClusterView.VolumeView;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Replays the planner inputs recorded from a real run of the default local scenario ({@code ./prescient local
 * --headless} with PRESCIENT_PLANNER_RECORD set; see replay/README.md) through {@link PlacementPlanner}, carrying
 * the planner's own heat classes and heat histories from pass to pass as {@link PlannerLoop} does, and asserts that
 * no decision is reversed: neither the tier a volume is wanted on nor a move of its primary goes back the other way
 * within one day (the scenario's compressed day) of the decision before it.
 */
class PlannerReplayTest {

    record Change(String volume, String from, String to, Instant at, String why) {
    }

    static List<PassRecorder.Pass> load(String resource) throws Exception {
        try (InputStream raw = PlannerReplayTest.class.getResourceAsStream(resource)) {
            assertThat(raw).as(resource).isNotNull();
            try (BufferedReader in = new BufferedReader(new InputStreamReader(new GZIPInputStream(raw),
                    StandardCharsets.UTF_8))) {
                return PassRecorder.read(in);
            }
        }
    }

    static Map<String, Integer> ranks(PlannerSettings s) {
        Map<String, Integer> r = new HashMap<>();
        r.putIfAbsent(s.hot().tier(), 0);
        r.putIfAbsent(s.warm().tier(), 1);
        r.putIfAbsent(s.cold().tier(), 2);
        return r;
    }

    /**
     * Decisions per volume, in order: each change of the tier the planner wants the volume on. {@code seed}: classes
     * the volumes start with (empty: none, as for new volumes); afterwards the planner's own classes are carried.
     */
    static Map<String, List<Change>> replay(List<PassRecorder.Pass> passes, Map<String, HeatLevel> seed) {
        return replay(passes, seed, null);
    }

    /** As above; {@code chases} (when not null) collects every planned Migrate back to where the primary came from. */
    static Map<String, List<Change>> replay(List<PassRecorder.Pass> passes, Map<String, HeatLevel> seed,
                                            List<Change> chases) {
        Map<String, HeatLevel> heat = new HashMap<>(seed);
        Map<String, ClusterView.HeatHistory> history = new HashMap<>();
        Map<String, String> wanted = new HashMap<>();
        Map<String, List<Change>> out = new HashMap<>();
        for (PassRecorder.Pass p : passes) {
            ClusterView v = p.view();
            List<VolumeView> vs = new ArrayList<>();
            for (VolumeView x : v.volumes()) {
                vs.add(new VolumeView(x.name(), x.capacityBytes(), x.usedBytes(), x.baseReplicas(), x.replicas(),
                        x.heatScore(), heat.get(x.name()), x.affinityNow(), x.affinityForecast(),
                        x.capacityForecast(), x.lastMoveAt(), x.requiredNodes(), x.requiredZones(),
                        history.get(x.name()), x.lastMovedFromNode()));
                if (x.primary() != null) {
                    wanted.putIfAbsent(x.name(), x.primary().tier());
                }
            }
            Plan plan = new PlacementPlanner(p.settings(), p.day()).plan(new ClusterView(v.now(), v.nodes(), vs,
                    v.inFlight(), v.limits()));
            for (PlannedAction a : plan.actions()) {
                VolumeView x = vs.stream().filter(y -> y.name().equals(a.volume())).findFirst().orElseThrow();
                // A primary sent back to the node it left less than a day ago: the chase the counter counts.
                if (a.kind() == ActionKind.Migrate && a.toNode().equals(x.lastMovedFromNode()) && x.lastMoveAt() != null
                        && Duration.between(x.lastMoveAt(), v.now()).compareTo(p.day()) < 0 && chases != null) {
                    chases.add(new Change(a.volume(), a.fromNode(), a.toNode(), v.now(), a.explanation()));
                }
            }
            for (Plan.DesiredPlacement d : plan.desired().values()) {
                heat.put(d.volume(), d.heat());
                if (d.heatHistory() == null || d.heatHistory().equals(ClusterView.HeatHistory.NONE)) {
                    history.remove(d.volume());
                } else {
                    history.put(d.volume(), d.heatHistory());
                }
                String before = wanted.get(d.volume());
                if (before != null && !before.equals(d.tier())) {
                    out.computeIfAbsent(d.volume(), k -> new ArrayList<>()).add(new Change(d.volume(), before,
                            d.tier(), v.now(), d.explanation()));
                    wanted.put(d.volume(), d.tier());
                }
            }
        }
        return out;
    }

    /** Tier changes that go back the other way within {@code day} of the change before. */
    static List<String> reversals(Map<String, List<Change>> changes, Map<String, Integer> rank, Duration day) {
        List<String> out = new ArrayList<>();
        changes.forEach((vol, cs) -> {
            for (int i = 1; i < cs.size(); i++) {
                Change a = cs.get(i - 1);
                Change b = cs.get(i);
                int da = Integer.signum(rank.getOrDefault(a.to(), 1) - rank.getOrDefault(a.from(), 1));
                int db = Integer.signum(rank.getOrDefault(b.to(), 1) - rank.getOrDefault(b.from(), 1));
                if (da != 0 && db == -da && Duration.between(a.at(), b.at()).compareTo(day) < 0) {
                    out.add(vol + ": " + a.from() + " -> " + a.to() + " at " + a.at() + " (" + a.why() + "), back "
                            + b.from() + " -> " + b.to() + " at " + b.at() + " (" + b.why() + ")");
                }
            }
        });
        return out;
    }

    @Test
    void theDefaultLocalScenarioReplaysWithoutAReversal() throws Exception {
        for (String recording : List.of(RECORDING, RECORDING_S8)) {
            List<PassRecorder.Pass> passes = load(recording);
            assertThat(passes).as(recording).hasSizeGreaterThan(50);
            PassRecorder.Pass first = passes.get(0);
            Map<String, List<Change>> changes = replay(passes, Map.of());
            assertThat(reversals(changes, ranks(first.settings()), first.day())).as(recording).isEmpty();
            // The volumes did get decisions (hot data promoted or cold data demoted): the replay is not vacuous.
            assertThat(changes.values().stream().mapToInt(List::size).sum()).as(recording).isGreaterThan(0);
        }
    }

    @Test
    void aReaderReturningWithinADayIsNotChasedInTheRecordedRun() throws Exception {
        // Session 8's recording: orders-db's primary followed its reader node-a -> node-b on the first day (no daily
        // profile yet) and the reader came back half a day later. No pass may send the primary back.
        List<PassRecorder.Pass> passes = load(RECORDING_S8);
        assertThat(passes.stream().flatMap(p -> p.view().volumes().stream())
                .filter(v -> v.lastMovedFromNode() != null)).as("the recording has a node move to return from")
                .isNotEmpty();
        List<Change> chases = new ArrayList<>();
        replay(passes, Map.of(), chases);
        assertThat(chases).isEmpty();
    }

    @Test
    void theSameInputsFlapWhenANewVolumeIsClassifiedFromItsFirstScore() {
        // What the planner did before: a volume with no class took the class of its first score, near zero while
        // its heat had not built up. The same recorded inputs then show the demote-and-promote-back.
        List<PassRecorder.Pass> passes;
        try {
            passes = load(RECORDING);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        PlannerSettings s = passes.get(0).settings();
        Map<String, HeatLevel> firstScore = new HashMap<>();
        for (PassRecorder.Pass p : passes) {
            for (VolumeView x : p.view().volumes()) {
                firstScore.putIfAbsent(x.name(), x.heatScore() >= s.hot().minScore() ? HeatLevel.Hot
                        : x.heatScore() >= s.warm().minScore() ? HeatLevel.Warm : HeatLevel.Cold);
            }
        }
        assertThat(reversals(replay(passes, firstScore), ranks(s), passes.get(0).day())).isNotEmpty();
    }

    static final String RECORDING = "/replay/local-default-scenario.jsonl.gz";
    /** Session 8: the default scenario with tier probes, the new-volume hold and the wall-clock workload. */
    static final String RECORDING_S8 = "/replay/local-default-scenario-s8.jsonl.gz";
}
