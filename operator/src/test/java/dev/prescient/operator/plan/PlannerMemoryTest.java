package dev.prescient.operator.plan;

import dev.prescient.operator.act.ModelStateStore;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

class PlannerMemoryTest {

    static final Instant T0 = Instant.parse("2026-11-21T00:00:00Z");

    @Test
    void heatHistorySurvivesTheTypedJsonRoundTrip() throws Exception {
        Map<String, PlannerMemory.StoredHistory> histories = new TreeMap<>();
        List<ClusterView.HeatHistory> cases = List.of(ClusterView.HeatHistory.NONE,
                new ClusterView.HeatHistory(T0.plusMillis(1234), 0.57, T0.minusSeconds(60), 2),
                new ClusterView.HeatHistory(null, 0, T0, 1));
        for (int i = 0; i < cases.size(); i++) {
            histories.put("pv-" + i, PlannerMemory.StoredHistory.of(cases.get(i)));
        }
        String json = PlannerMemory.json(new PlannerMemory.VolumeShard(PlannerMemory.VERSION,
                Map.of("pv-1", HeatLevel.Hot), histories, Map.of(), Map.of()));
        PlannerMemory.VolumeShard back = PlannerMemory.read(json, PlannerMemory.VolumeShard.class);
        for (int i = 0; i < cases.size(); i++) {
            assertThat(back.heatHistory().get("pv-" + i).toHistory()).isEqualTo(cases.get(i));
        }
        assertThat(back.heat()).containsEntry("pv-1", HeatLevel.Hot);
        // Fields with names, not positions in a string: "coolingSince":...
        assertThat(json).contains("\"coolingPeak\":0.57").contains("\"heat\":{\"pv-1\":\"Hot\"}");
    }

    @Test
    void anUnknownHeatClassOrANegativeRegretIsRelearntNotFatal() throws Exception {
        PlannerMemory.VolumeShard s = PlannerMemory.read("""
                {"version":2,"heat":{"pv-1":"Scorching","pv-2":"Cold"},"future":true,
                 "heatHistory":{"pv-3":{"coolingSince":null,"coolingPeak":0,"demotedAt":null,"regretted":-1}}}
                """, PlannerMemory.VolumeShard.class);
        assertThat(s.heat()).containsEntry("pv-2", HeatLevel.Cold).containsEntry("pv-1", null);
        assertThat(s.heatHistory().get("pv-3").toHistory()).isNull();
    }

    @Test
    void aShardOverTheConfigMapLimitLeavesOutLearntEntriesFirstNeverDecisions() {
        Map<String, HeatLevel> heat = new TreeMap<>();
        Map<String, String> affinity = new TreeMap<>();
        Map<String, String> used = new TreeMap<>();
        String big = "x".repeat(1000);
        for (int i = 0; i < 1500; i++) {
            heat.put("pv-" + i, HeatLevel.Warm);
            affinity.put("pv-" + i + "|node-1", big);
            used.put("pv-" + i, big);
        }
        String json = PlannerMemory.fit("volumes-0", heat, Map.of(), affinity, used);
        assertThat(json.length()).isLessThanOrEqualTo(ModelStateStore.MAX_BYTES);
        PlannerMemory.VolumeShard s = readQuietly(json);
        assertThat(s.heat()).hasSize(1500);
        assertThat(s.used()).isEmpty(); // the used-bytes histories go first,
        assertThat(s.affinity()).isNotEmpty().hasSizeLessThan(1500); // then only as many profiles as needed
    }

    @Test
    void volumesSpreadOverEveryShardStably() {
        int[] n = new int[PlannerMemory.SHARDS];
        for (int i = 0; i < 10_000; i++) {
            n[PlannerMemory.shard(String.format("pv-%05d", i))]++;
        }
        for (int c : n) {
            assertThat(c).isBetween(10_000 / PlannerMemory.SHARDS / 2, 10_000 / PlannerMemory.SHARDS * 2);
        }
        // String.hashCode is specified, so a new leader (another JVM) finds a volume in the same part.
        assertThat(PlannerMemory.shard("pv-00042")).isEqualTo(Math.floorMod("pv-00042".hashCode(), 16));
    }

    private static PlannerMemory.VolumeShard readQuietly(String json) {
        try {
            return PlannerMemory.read(json, PlannerMemory.VolumeShard.class);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
