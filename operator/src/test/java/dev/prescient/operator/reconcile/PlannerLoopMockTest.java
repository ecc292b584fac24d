package dev.prescient.operator.reconcile;

import dev.prescient.operator.act.KubeEvents;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.prescient.api.nodeagent.v1.ExtentHeat;
import dev.prescient.api.nodeagent.v1.VolumeTelemetry;
import dev.prescient.api.v1alpha1.migration.MigrationReason;
import dev.prescient.api.v1alpha1.migration.VolumeMigration;
import dev.prescient.operator.plan.MigrationFactory;
import dev.prescient.operator.loop.PlannerLoop;
import dev.prescient.operator.plan.PlannerSettings;
import dev.prescient.operator.act.ModelStateStore;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.prescient.api.v1alpha1.common.NodeTier;
import dev.prescient.api.v1alpha1.migration.MigrationPhase;
import dev.prescient.api.v1alpha1.migration.VolumeMigrationSpec;
import dev.prescient.api.v1alpha1.migration.VolumeMigrationStatus;
import dev.prescient.api.v1alpha1.volume.Forecast;
import dev.prescient.api.v1alpha1.volume.ForecastMetric;
import dev.prescient.api.v1alpha1.volume.HeatClassName;
import dev.prescient.api.v1alpha1.volume.ReplicatedVolume;
import dev.prescient.operator.plan.OperatorLimits;
import dev.prescient.operator.plan.VolumeInsights;
import dev.prescient.operator.telemetry.VolumeForecasts;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.javaoperatorsdk.operator.Operator;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The planner pass end to end: resources and agents in, VolumeMigrations and persisted model state out. */
@EnableKubernetesMockClient(crud = true)
class PlannerLoopMockTest {

    static KubernetesClient client;

    /** The mock server is shared by the tests of this class: each starts from an empty cluster. */
    @BeforeEach
    void emptyCluster() throws Exception {
        MockCluster.installCrds(client);
        client.resources(VolumeMigration.class).delete();
        client.resources(ReplicatedVolume.class).delete();
        client.resources(dev.prescient.api.v1alpha1.node.StorageNode.class).delete();
        client.configMaps().inNamespace("default").delete();
        client.v1().events().inNamespace("default").delete();
    }

    @Test
    void nodePredictedToFailGetsEvacuatedAndStateSurvivesARestart() throws Exception {
        MockCluster.installCrds(client);
        PlannerFixture f = new PlannerFixture(client);
        f.nodes(4);
        f.volumes(8, 4, 4096, "standard");
        // Volume 1 is read a lot on node-001 (where it lives): it is hot.
        f.agents.agent("node-001").setTelemetry(VolumeTelemetry.newBuilder().setVolumeId("pv-00001")
                .addExtents(ExtentHeat.newBuilder().setExtentIndex(0).setReadHeat(500)
                        .setLastAccessUnixMillis(System.currentTimeMillis())).build());
        PlannerSettings settings = PlannerSettings.defaults().withLimits(4, 10);
        PlannerLoop loop = f.loop("default");
        PlannerLoop.Result quiet = loop.evaluate("standard", settings);
        assertThat(quiet.volumes()).isEqualTo(8);
        assertThat(quiet.nodes()).isEqualTo(4);
        // Tiered placement: the hot volume goes to nvme on its own node at once; the unread new ones stay on the ssd
        // they were created on until they have been cold for a whole day (PlacementPlanner.placedClass, issue 19).
        List<VolumeMigration> first = client.resources(VolumeMigration.class).list().getItems();
        assertThat(first).hasSize(1).allSatisfy(m -> {
            assertThat(m.getMetadata().getLabels()).containsEntry(MigrationFactory.ACTION_LABEL, "Retier");
            assertThat(m.getSpec().getVolume()).isEqualTo("pv-00001");
            assertThat(m.getSpec().getTo().getNode()).isEqualTo(m.getSpec().getFrom().getNode());
            assertThat(m.getSpec().getTo().getTier()).isEqualTo("nvme");
        });
        client.resources(VolumeMigration.class).delete();

        f.setFailureProbability("node-002", 0.9);
        PlannerLoop.Result evac = loop.evaluate("standard", settings);
        assertThat(evac.created()).isGreaterThanOrEqualTo(2);
        List<VolumeMigration> moves = client.resources(VolumeMigration.class).list().getItems().stream()
                .filter(m -> m.getSpec().getReason() == MigrationReason.PredictedFailure).toList();
        assertThat(moves).hasSize(2).allSatisfy(m -> {
            assertThat(m.getSpec().getFrom().getNode()).isEqualTo("node-002");
            assertThat(m.getSpec().getTo().getNode()).isNotEqualTo("node-002");
            assertThat(m.getSpec().getKeepSource()).isTrue();
            assertThat(m.getSpec().getExplanation()).contains("failure probability 0.90");
        });
        assertThat(f.registry.find("prescient.planner.decisions").tag("kind", "Evacuate").counter().count())
                .isEqualTo(2);

        // The model state: typed JSON, one ConfigMap per part, written by the store's own thread.
        assertThat(loop.flushState(Duration.ofSeconds(30))).isTrue();
        JsonNode shard = stateOf("pv-00001");
        assertThat(shard.at("/heat/pv-00001").asText()).isEqualTo("Hot");
        assertThat(shard.get("affinity").fieldNames()).toIterable().anyMatch(k -> k.startsWith("pv-00001|"));
        assertThat(client.configMaps().inNamespace("default").withName("prescient-model-state-nodes").get())
                .isNotNull();
        // A new operator (fresh loop) reads the state back: the hot volume stays Hot, without relearning.
        PlannerLoop restarted = f.loop("default");
        restarted.evaluate("standard", settings);
        assertThat(restarted.flushState(Duration.ofSeconds(30))).isTrue();
        assertThat(stateOf("pv-00001").at("/heat/pv-00001").asText()).isEqualTo("Hot");
        // Nothing decided differently and the learnt state not due yet (5 min): the next pass writes nothing.
        Map<String, String> versions = stateVersions();
        PlannerLoop.Result quietAgain = restarted.evaluate("standard", settings);
        assertThat(restarted.flushState(Duration.ofSeconds(30))).isTrue();
        assertThat(stateVersions()).isEqualTo(versions);
        assertThat(quietAgain.stateParts()).isZero();
    }

    /** The model-state part that holds this volume, parsed. */
    static JsonNode stateOf(String volume) throws Exception {
        for (ConfigMap cm : client.configMaps().inNamespace("default")
                .withLabel(ModelStateStore.PART_LABEL, "prescient-model-state").list().getItems()) {
            JsonNode n = new ObjectMapper().readTree(cm.getData().get("state.json"));
            if (n.has("heat") && n.get("heat").has(volume)) {
                return n;
            }
        }
        throw new AssertionError("no model-state part holds " + volume);
    }

    static Map<String, String> stateVersions() {
        Map<String, String> out = new java.util.TreeMap<>();
        client.configMaps().inNamespace("default").withLabel(ModelStateStore.PART_LABEL, "prescient-model-state")
                .list().getItems().forEach(c -> out.put(c.getMetadata().getName(),
                        c.getMetadata().getResourceVersion()));
        return out;
    }

    /** A clock the test moves: one planner pass per forecast step. */
    static final class StepClock extends Clock {
        Instant now = Instant.parse("2026-11-21T00:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void growthIsPreMirroredOnTheForecastAndExpiredPreStagesAreRecorded() throws Exception {
        MockCluster.installCrds(client);
        PlannerFixture f = new PlannerFixture(client);
        f.nodes(3);
        // The volume lives on node-000, whose ssd has 1 MiB; it grows 16 KiB per 30 minutes.
        f.agents.add("node-000", "zone-0", Map.of("ssd", 1L << 20, "hdd", 1L << 30, "nvme", 1L << 30));
        f.volumes(1, 1, 4096, "standard");
        StepClock clock = new StepClock();
        PlannerLoop loop = f.loop("default", clock, OperatorLimits.none(), VolumeForecasts.Config.defaults());
        // Cold volumes belong on hdd; keep this one's tier where it is so only capacity speaks.
        PlannerSettings settings = new PlannerSettings(0.3, 0.5, 0.7,
                new PlannerSettings.HeatTier("Hot", 0.6, "ssd", 1), new PlannerSettings.HeatTier("Warm", 0.2, "ssd", 1),
                new PlannerSettings.HeatTier("Cold", 0.0, "ssd", 1), 0.1, 0.05, Duration.ofMinutes(10), 2, 10,
                200L << 20, true, 0.5, 0.6, Duration.ofHours(168), true, Duration.ofHours(24), 1,
                Duration.ofHours(24), 20, false, Set.of(), Set.of());
        VolumeMigration premirror = null;
        int step = 0;
        for (; step < 40 && premirror == null; step++) {
            f.agents.agent("node-000").putReplica("pv-00000-0", "pv-00000", "ssd", new byte[4096 + step * 16384]);
            loop.evaluate("standard", settings);
            premirror = client.resources(VolumeMigration.class).list().getItems().stream()
                    .filter(m -> m.getSpec().getReason() == MigrationReason.Capacity).findFirst().orElse(null);
            clock.now = clock.now.plus(Duration.ofMinutes(30));
        }
        assertThat(premirror).as("pre-mirrored within 40 steps").isNotNull();
        // No model before eight committed samples: nothing could be forecast, so nothing was done.
        assertThat(step).isGreaterThan(8);
        // 16 KiB per step and 48 steps to the horizon: still ~30 steps before the 1 MiB fills up.
        assertThat(4096 + step * 16384L).isLessThan(1L << 20);
        assertThat(premirror.getSpec().getTo().getNode()).isNotEqualTo("node-000");
        assertThat(premirror.getSpec().getExplanation()).contains("forecast").contains("within PT24H")
                .contains("interval");
        VolumeInsights.Insight insight = loop.insights().get("pv-00000");
        double usedNow = 4096 + (step - 1) * 16384.0;
        assertThat(insight.forecasts()).anySatisfy(fc -> {
            assertThat(fc.metric()).isEqualTo(ForecastMetric.UsedBytes);
            assertThat(fc.horizon()).isEqualTo(Duration.ofHours(24));
            assertThat(fc.value()).isGreaterThan(usedNow);
        });
        client.resources(VolumeMigration.class).delete();

        // A pre-staged replica from a finished migration, never read for more than its 24 h: removed with a record.
        VolumeMigration staged = new VolumeMigration();
        staged.setMetadata(new ObjectMetaBuilder().withName("pv-00000-prestage-x")
                .addToLabels(MigrationFactory.ACTION_LABEL, "PreStage").build());
        VolumeMigrationSpec spec = new VolumeMigrationSpec();
        spec.setVolume("pv-00000");
        spec.setFrom(nodeTier("node-000", "ssd"));
        spec.setTo(nodeTier("node-002", "ssd"));
        spec.setReason(MigrationReason.Affinity);
        spec.setKeepSource(true);
        staged.setSpec(spec);
        staged = client.resource(staged).create();
        VolumeMigrationStatus st = new VolumeMigrationStatus();
        st.setPhase(MigrationPhase.Succeeded);
        st.setCompletionTime(clock.now.minus(Duration.ofHours(25)).toString());
        staged.setStatus(st);
        client.resource(staged).updateStatus();
        f.agents.agent("node-002").putReplica("pv-00000-prestage-x-r", "pv-00000", "ssd", new byte[4096]);
        PlannerLoop.Result r = loop.evaluate("standard", settings);
        assertThat(r.removed()).isEqualTo(1);
        assertThat(f.agents.agent("node-002").replicaIds()).doesNotContain("pv-00000-prestage-x-r");
        VolumeInsights.Removal removal = loop.insights().lastRemoval("pv-00000");
        assertThat(removal.kind()).isEqualTo(VolumeInsights.RemovalKind.PreStageExpired);
        assertThat(removal.done()).isTrue();
        assertThat(removal.explanation()).contains("never read").contains("affinity of node-002 now 0.00");
        assertThat(client.v1().events().inNamespace("default").list().getItems())
                .anySatisfy(e -> {
                    assertThat(e.getReason()).isEqualTo("PreStageExpired");
                    assertThat(e.getInvolvedObject().getName()).isEqualTo("pv-00000");
                });
        // Idempotent: the next pass finds nothing left to remove and the agent was asked once.
        assertThat(loop.evaluate("standard", settings).removed()).isZero();

        // The volume reconciler shows it all from the shared view, without asking the agents per volume.
        Operator op = MockCluster.start(client, new ReplicatedVolumeReconciler(loop.inventory(), loop.insights(),
                new KubeEvents(client, clock), clock, Duration.ofMinutes(5),
                dev.prescient.operator.observe.ClusterReads.listing(client)));
        try {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                ReplicatedVolume v = client.resources(ReplicatedVolume.class).withName("pv-00000").get();
                assertThat(v.getStatus()).isNotNull();
                assertThat(v.getStatus().getHeatClass()).isEqualTo(HeatClassName.Cold);
                assertThat(v.getStatus().getForecasts()).extracting(Forecast::getMetric)
                        .contains(ForecastMetric.UsedBytes);
                assertThat(v.getStatus().getReplicas()).hasSize(1);
                assertThat(v.getStatus().getConditions()).anySatisfy(c -> {
                    assertThat(c.getType()).isEqualTo("ReplicaRemoved");
                    assertThat(c.getReason()).isEqualTo("PreStageExpired");
                });
            });
            assertThat(loop.inventory().sweeps()).as("the planner's pass served the reconcile").isZero();
        } finally {
            op.stop();
        }
    }

    @Test
    void falseAlarmEvacuationIsRolledBackAndRaisesTheThreshold() throws Exception {
        PlannerFixture f = new PlannerFixture(client);
        f.nodes(3);
        f.volumes(1, 1, 4096, "standard");
        StepClock clock = new StepClock();
        PlannerLoop loop = f.loop("default", clock, OperatorLimits.none(), VolumeForecasts.Config.defaults());
        PlannerSettings settings = PlannerSettings.defaults();
        // An evacuation finished 169 h ago (rollbackAfter 168 h); node-000 never failed and is healthy.
        VolumeMigration evac = new VolumeMigration();
        evac.setMetadata(new ObjectMetaBuilder().withName("pv-00000-evacuate-x")
                .addToLabels(MigrationFactory.ACTION_LABEL, "Evacuate").build());
        VolumeMigrationSpec spec = new VolumeMigrationSpec();
        spec.setVolume("pv-00000");
        spec.setFrom(nodeTier("node-000", "ssd"));
        spec.setTo(nodeTier("node-001", "ssd"));
        spec.setReason(MigrationReason.PredictedFailure);
        spec.setKeepSource(true);
        evac.setSpec(spec);
        evac = client.resource(evac).create();
        VolumeMigrationStatus st = new VolumeMigrationStatus();
        st.setPhase(MigrationPhase.Succeeded);
        st.setCompletionTime(clock.now.minus(Duration.ofHours(169)).toString());
        evac.setStatus(st);
        client.resource(evac).updateStatus();
        f.agents.agent("node-001").putReplica("pv-00000-evacuate-x-r", "pv-00000", "ssd", new byte[4096]);
        double before = f.health.currentThreshold(clock.now.toEpochMilli());
        // Calm for an hour only: a recovery that has not lasted rollbackAfter undoes nothing.
        f.calmSince("node-000", clock.now.minus(Duration.ofHours(1)));
        assertThat(loop.evaluate("standard", settings).removed()).isZero();
        assertThat(f.agents.agent("node-001").replicaIds()).contains("pv-00000-evacuate-x-r");
        // No alert for 200 h: the evacuation was a false alarm.
        f.calmSince("node-000", clock.now.minus(Duration.ofHours(200)));

        PlannerLoop.Result r = loop.evaluate("standard", settings);
        assertThat(r.removed()).isEqualTo(1);
        assertThat(f.agents.agent("node-001").replicaIds()).doesNotContain("pv-00000-evacuate-x-r");
        assertThat(f.agents.agent("node-000").replicaIds()).as("the source was never touched")
                .contains("pv-00000-0");
        VolumeInsights.Removal removal = loop.insights().lastRemoval("pv-00000");
        assertThat(removal.kind()).isEqualTo(VolumeInsights.RemovalKind.EvacuationRolledBack);
        assertThat(removal.explanation()).contains("false alarm").contains("rollbackAfter PT168H");
        assertThat(f.health.currentThreshold(clock.now.toEpochMilli())).as("adaptive threshold after a false alarm")
                .isGreaterThan(before);
        assertThat(loop.evaluate("standard", settings).removed()).isZero();
    }

    static NodeTier nodeTier(String node, String tier) {
        NodeTier t = new NodeTier();
        t.setNode(node);
        t.setTier(tier);
        return t;
    }

    @Test
    void newVolumesWarmUpBeforeTheirFirstMove() throws Exception {
        MockCluster.installCrds(client);
        PlannerFixture f = new PlannerFixture(client);
        f.nodes(2);
        f.volumes(4, 2, 4096, "standard");
        PlannerSettings settings = PlannerSettings.defaults().withLimits(4, 10);
        PlannerLoop loop = f.loop("default");
        loop.setNewVolumeWarmUp(java.time.Duration.ofHours(1));
        loop.evaluate("standard", settings);
        assertThat(client.resources(VolumeMigration.class).list().getItems())
                .as("unread new volumes are not demoted before their heat had time to build").isEmpty();
        // Nor without the warm-up: a new volume starts in the class of the tier it was created on and leaves it for
        // a colder one only after a whole day below it (PlacementPlanner.placedClass, issue 19).
        loop.setNewVolumeWarmUp(java.time.Duration.ZERO);
        loop.evaluate("standard", settings);
        assertThat(client.resources(VolumeMigration.class).list().getItems()).isEmpty();
    }
}
