package dev.prescient.local.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ScenarioTest {
    static final Path ROOT = Path.of(System.getProperty("prescient.root", ".."));

    @Test
    void defaultScenarioLoadsAndFitsInFiveMinutes() throws Exception {
        Scenario s = Scenario.load(ROOT.resolve("local/scenarios/default.yaml"));
        assertThat(s.nodes).containsExactly("node-a", "node-b", "node-c");
        assertThat(s.volumes).extracting(v -> v.name).containsExactly("orders-db", "analytics", "archive");
        assertThat(s.durationSeconds).isBetween(1, 300);
        // At least two days, so the second day's move can be forecast from the first.
        assertThat(s.durationSeconds).isGreaterThanOrEqualTo(2 * s.dayLengthSeconds);
        assertThat(s.degradingNode.node).isEqualTo("node-c");
    }

    @Test
    void readerFollowsTheSchedule() throws Exception {
        Scenario s = Scenario.load(ROOT.resolve("local/scenarios/default.yaml"));
        Scenario.Hotspot h = s.hotspots.get(0);
        assertThat(Scenario.readerAt(h, 0.1)).isEqualTo("node-a");
        assertThat(Scenario.readerAt(h, 0.5)).isEqualTo("node-b");
        assertThat(Scenario.readerAt(h, 0.99)).isEqualTo("node-b");
        assertThat(s.timeOfDay(s.dayLengthSeconds * 1.25)).isEqualTo(0.25, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(Scenario.hotspotOps(h, 0.25)).isGreaterThan(Scenario.hotspotOps(h, 0.75));
    }

    @Test
    void scorecardScenariosLoadAndTheRandomReaderIsSeededAndVisitsEveryNode() throws Exception {
        Scenario trace = Scenario.load(ROOT.resolve("local/scenarios/score-trace.yaml"));
        assertThat(trace.traces).singleElement().satisfies(t -> assertThat(t.file).contains("OLTP.lis"));
        assertThat(trace.readerAtSeconds(trace.hotspots.get(0), 40)).isEqualTo("node-b");
        Scenario r = Scenario.load(ROOT.resolve("local/scenarios/score-random.yaml"));
        Scenario.Hotspot h = r.hotspots.get(0);
        assertThat(h.schedule).isEmpty();
        assertThat(h.randomReaderEverySeconds).isEqualTo(10);
        java.util.Set<String> seen = new java.util.HashSet<>();
        StringBuilder first = new StringBuilder();
        for (int t = 0; t < 300; t += 10) {
            String n = r.readerAtSeconds(h, t);
            assertThat(r.readerAtSeconds(h, t + 9.5)).as("constant within a slot").isEqualTo(n);
            seen.add(n);
            first.append(n).append(' ');
        }
        assertThat(seen).containsExactlyInAnyOrder("node-a", "node-b", "node-c");
        Scenario again = Scenario.load(ROOT.resolve("local/scenarios/score-random.yaml"));
        StringBuilder second = new StringBuilder();
        for (int t = 0; t < 300; t += 10) {
            second.append(again.readerAtSeconds(again.hotspots.get(0), t)).append(' ');
        }
        assertThat(second.toString()).as("same seed, same readers").isEqualTo(first.toString());
        again.seed = 7;
        StringBuilder other = new StringBuilder();
        for (int t = 0; t < 300; t += 10) {
            other.append(again.readerAtSeconds(again.hotspots.get(0), t)).append(' ');
        }
        assertThat(other.toString()).isNotEqualTo(first.toString());
    }

    @Test
    void refusesScenariosThatCannotRun() {
        assertThatThrownBy(() -> Scenario.parse("nodes: [a]\n"))
                .isInstanceOf(Scenario.InvalidScenarioException.class).hasMessageContaining("two nodes");
        assertThatThrownBy(() -> Scenario.parse("""
                nodes: [a, b]
                volumes: [{ name: v, sizeMiB: 4, node: c }]
                """)).isInstanceOf(Scenario.InvalidScenarioException.class).hasMessageContaining("unknown node c");
        assertThatThrownBy(() -> Scenario.parse("""
                nodes: [a, b]
                volumes: [{ name: v, sizeMiB: 4, node: a }]
                hotspots: [{ volume: v, firstExtent: 2, extents: 4, schedule: [{ at: 0, node: a }] }]
                """)).isInstanceOf(Scenario.InvalidScenarioException.class).hasMessageContaining("past the end");
        assertThatThrownBy(() -> Scenario.parse("""
                nodes: [a, b]
                degradingNode: { node: z }
                """)).isInstanceOf(Scenario.InvalidScenarioException.class).hasMessageContaining("degrading node z");
        assertThatThrownBy(() -> Scenario.parse("""
                nodes: [a, b]
                policy: { engineHeatHalfLifeSeconds: 0 }
                """)).isInstanceOf(Scenario.InvalidScenarioException.class)
                .hasMessageContaining("engineHeatHalfLifeSeconds and heatScale > 0");
        assertThatThrownBy(() -> Scenario.parse("""
                nodes: [a, b]
                degradingNode: { node: a, latencyGrowthPerSecond: 0.1 }
                """)).as("the former stand-in's field is refused by name, not ignored")
                .hasMessageContaining("latencyGrowthPerSecond");
    }
}
