package dev.prescient.operator.reconcile;

import dev.prescient.api.v1alpha1.migration.VolumeMigration;
import dev.prescient.api.v1alpha1.policy.MirrorPolicy;
import dev.prescient.api.v1alpha1.tier.StorageTier;
import dev.prescient.api.v1alpha1.volume.ReplicatedVolume;
import dev.prescient.operator.act.KubeEvents;
import dev.prescient.operator.loop.PolicyPasses;
import dev.prescient.operator.observe.ClusterReads;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.javaoperatorsdk.operator.Operator;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The MirrorPolicy reconciler without the planner in it: it validates, counts the policy's volumes and shows the
 * time of the planner's last pass (from PolicyPasses), and makes no VolumeMigration itself.
 */
@EnableKubernetesMockClient(crud = true)
class MirrorPolicyStatusMockTest {

    static KubernetesClient client;

    @Test
    void statusShowsValidityVolumesAndTheLastPassWithoutPlanning() throws Exception {
        MockCluster.installCrds(client);
        for (String t : List.of("nvme", "ssd", "hdd")) {
            PlannerDriverMockTest.tier(client, t);
        }
        PlannerDriverMockTest.policy(client, "gold", "nvme");
        PlannerDriverMockTest.policy(client, "broken", "tape");
        PlannerFixture f = new PlannerFixture(client);
        f.nodes(2);
        f.volumes(3, 2, 4096, "gold");
        PolicyPasses passes = new PolicyPasses();
        Instant evaluated = Instant.parse("2026-12-08T01:00:00Z");
        passes.evaluated("gold", evaluated);
        Operator op = MockCluster.start(client, new MirrorPolicyReconciler(new KubeEvents(client, Clock.systemUTC()),
                passes, true, Clock.systemUTC(), Duration.ofMinutes(5), ClusterReads.listing(client)));
        try {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                MirrorPolicy gold = client.resources(MirrorPolicy.class).withName("gold").get();
                assertThat(gold.getStatus()).isNotNull();
                assertThat(gold.getStatus().getVolumeCount()).isEqualTo(3);
                assertThat(gold.getStatus().getLastEvaluationTime()).isEqualTo(evaluated.toString());
                assertThat(gold.getStatus().getConditions()).anySatisfy(c -> {
                    assertThat(c.getType()).isEqualTo("Ready");
                    assertThat(c.getStatus().name()).isEqualTo("True");
                });
                MirrorPolicy broken = client.resources(MirrorPolicy.class).withName("broken").get();
                assertThat(broken.getStatus()).isNotNull();
                assertThat(broken.getStatus().getLastEvaluationTime()).isNull();
                assertThat(broken.getStatus().getConditions()).anySatisfy(c -> {
                    assertThat(c.getType()).isEqualTo("Ready");
                    assertThat(c.getStatus().name()).isEqualTo("False");
                    assertThat(c.getMessage()).contains("tape");
                });
            });
            assertThat(client.resources(VolumeMigration.class).list().getItems()).as("the reconciler plans nothing")
                    .isEmpty();
            assertThat(client.resources(ReplicatedVolume.class).list().getItems()).hasSize(3);
            assertThat(client.resources(StorageTier.class).list().getItems()).hasSize(3);
        } finally {
            op.stop();
        }
    }
}
