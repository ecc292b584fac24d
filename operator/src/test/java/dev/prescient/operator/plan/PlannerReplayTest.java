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
                        history.get(x.name())));
                if (x.primary() != null) {
                    wanted.putIfAbsent(x.name(), x.primary().tier());
                }
            }
            Plan plan = new PlacementPlanner(p.settings(), p.day()).plan(new ClusterView(v.now(), v.nodes(), vs,
                    v.inFlight(), v.limits()));
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
        List<PassRecorder.Pass> passes = load(RECORDING);
        assertThat(passes).hasSizeGreaterThan(50);
        PassRecorder.Pass first = passes.get(0);
        Map<String, List<Change>> changes = replay(passes, Map.of());
        assertThat(reversals(changes, ranks(first.settings()), first.day())).isEmpty();
        // The volumes did get decisions (hot data promoted): the replay is not vacuous.
        assertThat(changes.values().stream().mapToInt(List::size).sum()).isGreaterThan(0);
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
}
