package dev.prescient.operator.plan;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static dev.prescient.operator.plan.PlacementPlannerTest.T0;
import static dev.prescient.operator.plan.PlacementPlannerTest.primary;
import static dev.prescient.operator.plan.PlacementPlannerTest.volume;
import static dev.prescient.operator.plan.PlacementPlannerTest.warmVolume;
import static org.assertj.core.api.Assertions.assertThat;

/** Heat classes from pass to pass (moved here from PlacementPlannerTest with the code they test). */
class HeatClassifierTest {

    final HeatClassifier heat = new HeatClassifier(PlannerSettings.defaults(), Duration.ofDays(1));

    @Test
    void heatClassHysteresisBothWays() {
        assertThat(heat.classify(0.66, HeatLevel.Warm, null, T0).level()).isEqualTo(HeatLevel.Hot);
        assertThat(heat.classify(0.64, HeatLevel.Warm, null, T0).level()).isEqualTo(HeatLevel.Warm);
        assertThat(heat.classify(0.56, HeatLevel.Hot, null, T0).level()).isEqualTo(HeatLevel.Hot);
        assertThat(heat.classify(0.54, null, null, T0).level()).isEqualTo(HeatLevel.Warm);
        // Below the hot floor by the margin: cooling starts, the class stays for a day, then goes.
        HeatClassifier.HeatClass first = heat.classify(0.54, HeatLevel.Hot, null, T0);
        assertThat(first.level()).isEqualTo(HeatLevel.Hot);
        assertThat(first.history()).isEqualTo(new ClusterView.HeatHistory(T0, 0.54, null, 0));
        Instant almost = T0.plus(Duration.ofDays(1)).minusSeconds(1);
        assertThat(heat.classify(0.5, HeatLevel.Hot, first.history(), almost).level()).isEqualTo(HeatLevel.Hot);
        Instant dayLater = T0.plus(Duration.ofDays(1));
        HeatClassifier.HeatClass day = heat.classify(0.1, HeatLevel.Hot, first.history(), dayLater);
        // To the class of the day's highest score (0.54: Warm), not of this pass's (0.1: Cold), and cooling ends.
        assertThat(day.level()).isEqualTo(HeatLevel.Warm);
        assertThat(day.history()).isEqualTo(new ClusterView.HeatHistory(null, 0, dayLater, 0));
        assertThat(day.why()).contains("demoted from Hot");
        // Back above the bar for one pass: the cooling starts over.
        assertThat(heat.classify(0.58, HeatLevel.Hot, first.history(), almost).history().coolingSince()).isNull();

        // Hot again within a day of that demotion: promoted at once, and the next demotion waits two days.
        Instant back = dayLater.plus(Duration.ofHours(3));
        HeatClassifier.HeatClass again = heat.classify(0.9, HeatLevel.Warm, day.history(), back);
        assertThat(again.level()).isEqualTo(HeatLevel.Hot);
        assertThat(again.history().regretted()).isEqualTo(1);
        assertThat(again.why()).contains("waits PT48H");
        Instant cools = back.plus(Duration.ofHours(1));
        HeatClassifier.HeatClass c1 = heat.classify(0.4, HeatLevel.Hot, again.history(), cools);
        assertThat(heat.classify(0.4, HeatLevel.Hot, c1.history(), cools.plus(Duration.ofDays(1))).level())
                .isEqualTo(HeatLevel.Hot);
        assertThat(heat.classify(0.4, HeatLevel.Hot, c1.history(), cools.plus(Duration.ofDays(2))).level())
                .isEqualTo(HeatLevel.Warm);
        // Promoted long after its last demotion: that one was right, the count starts over.
        assertThat(heat.classify(0.9, HeatLevel.Warm, new ClusterView.HeatHistory(null, 0, T0, 3),
                T0.plus(Duration.ofDays(20))).history().regretted()).isZero();
    }

    @Test
    void placedClassIsTheColdestClassOnTheTierAndNoneForATierNoClassUses() {
        HeatClassifier p = new HeatClassifier(PlannerSettings.defaults(), Duration.ofDays(1));
        assertThat(p.placedClass(warmVolume("v", "a"))).isEqualTo(HeatLevel.Warm);
        assertThat(p.placedClass(volume("v", List.of(primary("a", "hdd")), 0, null, Map.of(), Map.of())))
                .isEqualTo(HeatLevel.Cold);
        assertThat(p.placedClass(volume("v", List.of(primary("a", "tape")), 0, null, Map.of(), Map.of()))).isNull();
        assertThat(p.placedClass(volume("v", List.of(), 0, null, Map.of(), Map.of()))).isNull();
        // Two classes on one tier: the colder one, so that nothing is added (the hotter may ask for more copies).
        PlannerSettings d = PlannerSettings.defaults();
        PlannerSettings twoOnSsd = new PlannerSettings(d.preStageScore(), d.mirrorScore(), d.migrateScore(), d.hot(),
                d.warm(), new PlannerSettings.HeatTier("Cold", 0.0, "ssd", 1), d.benefitThreshold(), d.hysteresis(),
                d.coolDown(), d.maxConcurrentPerNode(), d.maxConcurrentPerCluster(), d.bandwidthPerMigration(),
                d.evacuationEnabled(), d.failureThreshold(), d.minConfidence(), d.rollbackAfter(),
                d.preStagingEnabled(), d.preStageExpireAfter(), d.maxPreStagedPerVolume(), d.capacityHorizon(),
                d.capacityBufferPercent(), d.spreadByZone(), d.excludedVolumes(), d.excludedNodes());
        assertThat(new HeatClassifier(twoOnSsd, Duration.ofDays(1)).placedClass(warmVolume("v", "a"))).isEqualTo(HeatLevel.Cold);
    }
}
