package dev.prescient.operator.reconcile;

import dev.prescient.api.nodeagent.v1.ExtentHeat;
import dev.prescient.api.nodeagent.v1.VolumeTelemetry;
import dev.prescient.api.v1alpha1.migration.MigrationReason;
import dev.prescient.api.v1alpha1.migration.VolumeMigration;
import dev.prescient.operator.plan.MigrationFactory;
import dev.prescient.operator.plan.PlannerLoop;
import dev.prescient.operator.plan.PlannerSettings;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The planner pass end to end: resources and agents in, VolumeMigrations and persisted model state out. */
@EnableKubernetesMockClient(crud = true)
class PlannerLoopMockTest {

    static KubernetesClient client;

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
        // Tiered placement: the hot volume goes to nvme, the unread ones to hdd, each on its own node.
        List<VolumeMigration> first = client.resources(VolumeMigration.class).list().getItems();
        assertThat(first).hasSize(8).allSatisfy(m -> {
            assertThat(m.getMetadata().getLabels()).containsEntry(MigrationFactory.ACTION_LABEL, "Retier");
            assertThat(m.getSpec().getTo().getNode()).isEqualTo(m.getSpec().getFrom().getNode());
            assertThat(m.getSpec().getTo().getTier())
                    .isEqualTo(m.getSpec().getVolume().equals("pv-00001") ? "nvme" : "hdd");
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

        ConfigMap cm = client.configMaps().inNamespace("default").withName("prescient-model-state").get();
        assertThat(cm.getData()).containsEntry("heat.pv-00001", "Hot");
        assertThat(cm.getData().keySet()).anyMatch(k -> k.startsWith("affinity.pv-00001"));
        // A new operator (fresh loop) reads the state back: the hot volume stays Hot, without relearning.
        PlannerLoop restarted = f.loop("default");
        restarted.evaluate("standard", settings);
        ConfigMap again = client.configMaps().inNamespace("default").withName("prescient-model-state").get();
        assertThat(again.getData()).containsEntry("heat.pv-00001", "Hot");
    }
}
