package dev.prescient.local.decide;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescient.api.v1alpha1.migration.MigrationReason;
import dev.prescient.local.decide.Action.Kind;
import dev.prescient.local.decide.Decider.ReplicaView;
import dev.prescient.local.decide.Decider.VolumeView;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DeciderTest {
    static final Set<String> NODES = Set.of("a", "b", "c");
    final Decider decider = new Decider(new Decider.Settings(0.6, 0.15, 2.0, 0.05, 0.6));

    static VolumeView vol(String reader, double meanHeat, double hotFraction, boolean busy, boolean hotspot,
            ReplicaView... rs) {
        return new VolumeView("v", List.of(rs), reader, meanHeat, hotFraction, busy, hotspot);
    }

    @Test
    void evacuatesAPrimaryOffARiskyNodeToTheSafestOther() {
        var acts = decider.decide(List.of(vol(null, 1, 0, false, false, new ReplicaView("c", "ssd", true, true))),
                Map.of("a", 0.2, "b", 0.1, "c", 0.7), Map.of(), NODES);
        assertThat(acts).singleElement().satisfies(a -> {
            assertThat(a.kind()).isEqualTo(Kind.MIGRATE);
            assertThat(a.reason()).isEqualTo(MigrationReason.PredictedFailure);
            assertThat(a.toNode()).isEqualTo("b");
            assertThat(a.explanation()).contains("0.70");
        });
    }

    @Test
    void switchesToAnInSyncMirrorWhereTheReaderIs() {
        var acts = decider.decide(List.of(vol("b", 1, 0.2, false, true, new ReplicaView("a", "nvme", true, true),
                new ReplicaView("b", "nvme", false, true))), Map.of(), Map.of(), NODES);
        assertThat(acts).singleElement().extracting(Action::kind).isEqualTo(Kind.SWITCH_OVER);
    }

    @Test
    void migratesWhenTheReaderMovedAndNoMirrorWaits() {
        var acts = decider.decide(List.of(vol("b", 1, 0.2, false, true, new ReplicaView("a", "nvme", true, true))),
                Map.of(), Map.of(), NODES);
        assertThat(acts).singleElement().satisfies(a -> {
            assertThat(a.kind()).isEqualTo(Kind.MIGRATE);
            assertThat(a.reason()).isEqualTo(MigrationReason.Affinity);
            assertThat(a.toTier()).isEqualTo("nvme");
        });
    }

    @Test
    void preStagesWhereTheForecastSaysTheReaderGoesNext() {
        var v = vol("a", 1, 0.2, false, true, new ReplicaView("a", "nvme", true, true));
        var confident = Map.of("v", new ReaderForecast.Prediction("b", 0.9, 20));
        assertThat(decider.decide(List.of(v), Map.of(), confident, NODES)).singleElement().satisfies(a -> {
            assertThat(a.kind()).isEqualTo(Kind.PRE_STAGE);
            assertThat(a.toNode()).isEqualTo("b");
        });
        // Not on a node predicted to fail, and not on a weak forecast: then heat decides (already nvme: nothing).
        assertThat(decider.decide(List.of(v), Map.of("b", 0.9), confident, NODES)).isEmpty();
        assertThat(decider.decide(List.of(v), Map.of(), Map.of("v", new ReaderForecast.Prediction("b", 0.4, 20)),
                NODES)).isEmpty();
    }

    @Test
    void tiersByHeatAndLeavesBusyVolumesAlone() {
        var hot = vol("a", 1, 0.2, false, true, new ReplicaView("a", "ssd", true, true));
        assertThat(decider.decide(List.of(hot), Map.of(), Map.of(), NODES)).singleElement()
                .satisfies(a -> assertThat(a.toTier()).isEqualTo("nvme"));
        var cold = vol(null, 0.01, 0, false, false, new ReplicaView("c", "ssd", true, true));
        assertThat(decider.decide(List.of(cold), Map.of(), Map.of(), NODES)).singleElement()
                .satisfies(a -> {
                    assertThat(a.toTier()).isEqualTo("hdd");
                    assertThat(a.toNode()).isEqualTo("c");
                    assertThat(a.reason()).isEqualTo(MigrationReason.Tiering);
                });
        var warm = vol(null, 0.2, 0, false, false, new ReplicaView("c", "ssd", true, true));
        assertThat(decider.decide(List.of(warm), Map.of(), Map.of(), NODES)).isEmpty();
        var busy = vol(null, 0.01, 0, true, false, new ReplicaView("c", "ssd", true, true));
        assertThat(decider.decide(List.of(busy), Map.of("c", 0.99), Map.of(), NODES)).isEmpty();
    }

    @Test
    void forecastLearnsTheDailyReader() {
        ReaderForecast f = new ReaderForecast(10);
        assertThat(f.predict(0.55)).isEmpty();
        for (int i = 0; i < 100; i++) {
            double tod = i / 100.0;
            f.observe(tod, tod < 0.5 ? "a" : "b");
        }
        assertThat(f.predict(0.55)).get().satisfies(p -> {
            assertThat(p.node()).isEqualTo("b");
            assertThat(p.confidence()).isEqualTo(1.0);
        });
        assertThat(f.predict(1.05).orElseThrow().node()).isEqualTo("a"); // wraps into the next day
    }

    @Test
    void failureProbabilityRisesWithLatencyAndErrors() {
        double healthy = NodeHealthModel.failureProbability(new NodeHealthModel.Signals(1.0, 0));
        double slow = NodeHealthModel.failureProbability(new NodeHealthModel.Signals(3.0, 0));
        double failing = NodeHealthModel.failureProbability(new NodeHealthModel.Signals(3.0, 18));
        assertThat(healthy).isLessThan(0.1);
        assertThat(slow).isGreaterThan(healthy).isLessThan(failing);
        assertThat(failing).isGreaterThan(0.6);
        assertThat(NodeHealthModel.healthScore(new NodeHealthModel.Signals(1.0, 0))).isEqualTo(1.0);
        assertThat(NodeHealthModel.healthScore(new NodeHealthModel.Signals(3.0, 18))).isLessThan(0.5);
    }
}
