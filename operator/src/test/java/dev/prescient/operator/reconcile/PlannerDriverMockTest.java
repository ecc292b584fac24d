package dev.prescient.operator.reconcile;

import dev.prescient.api.v1alpha1.common.Condition;
import dev.prescient.api.v1alpha1.migration.VolumeMigration;
import dev.prescient.api.v1alpha1.node.StorageNode;
import dev.prescient.api.v1alpha1.node.StorageNodeStatus;
import dev.prescient.api.v1alpha1.policy.MirrorPolicy;
import dev.prescient.api.v1alpha1.tier.StorageTier;
import dev.prescient.api.v1alpha1.volume.ReplicatedVolume;
import dev.prescient.operator.loop.PlannerDriver;
import dev.prescient.operator.loop.PlannerLoop;
import dev.prescient.operator.loop.PolicyPasses;
import dev.prescient.operator.observe.ClusterReads;
import dev.prescient.testkit.FakeNodeAgent;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The planner's own loop (issue 17): N policies and M nodes make one pass with one sweep, each agent asked once for
 * its health, replicas and telemetry however many policies there are; a policy is evaluated again at its interval,
 * every policy at once when a node's failure alarm changes; an invalid policy is not planned.
 */
@EnableKubernetesMockClient(crud = true)
class PlannerDriverMockTest {

    static KubernetesClient client;

    static final int NODES = 5;
    static final List<String> POLICIES = List.of("gold", "silver", "bronze");

    @BeforeEach
    void emptyCluster() throws Exception {
        MockCluster.installCrds(client);
        client.resources(VolumeMigration.class).delete();
        client.resources(ReplicatedVolume.class).delete();
        client.resources(StorageNode.class).delete();
        client.resources(MirrorPolicy.class).delete();
        client.resources(StorageTier.class).delete();
    }

    static void tier(KubernetesClient client, String name) {
        client.resource(client.getKubernetesSerialization().unmarshal(String.format("""
                apiVersion: storage.prescient.dev/v1alpha1
                kind: StorageTier
                metadata: {name: %s}
                spec: {media: SSD, rank: 1, path: /var/lib/prescient/%s}
                """, name, name), StorageTier.class)).create();
    }

    static void policy(KubernetesClient client, String name, String hotTier) {
        client.resource(client.getKubernetesSerialization().unmarshal(String.format("""
                apiVersion: storage.prescient.dev/v1alpha1
                kind: MirrorPolicy
                metadata: {name: %s}
                spec:
                  heatClasses:
                    hot:  {tier: %s, replicas: 1, minScore: 0.7}
                    warm: {tier: ssd, replicas: 1, minScore: 0.3}
                    cold: {tier: hdd, replicas: 1, minScore: 0.0}
                  evaluationInterval: 1h
                """, name, hotTier), MirrorPolicy.class)).create();
    }

    static void volume(String name, String policy, PlannerFixture f, int node) {
        f.agents.agent(PlannerFixture.node(node)).putReplica(name + "-0", name, "ssd", new byte[4096]);
        PlannerFixture.createVolume(client, name, policy);
    }

    /** Per node, how often each of the sweep's three calls reached its agent. */
    static void assertEachNodeAsked(PlannerFixture f, int times) {
        for (int i = 0; i < NODES; i++) {
            FakeNodeAgent a = f.agents.agent(PlannerFixture.node(i)).fake();
            assertThat(List.of(a.calls("GetNodeHealth"), a.calls("ListReplicas"), a.calls("GetTelemetry")))
                    .as("health, replica list and telemetry calls to %s", PlannerFixture.node(i))
                    .containsExactly(times, times, times);
        }
    }

    @Test
    void onePassOverEveryPolicyAsksEachAgentOnce() {
        PlannerFixture f = new PlannerFixture(client);
        f.nodes(NODES);
        for (String t : List.of("nvme", "ssd", "hdd")) {
            tier(client, t);
        }
        for (int p = 0; p < POLICIES.size(); p++) {
            policy(client, POLICIES.get(p), "nvme");
            for (int v = 0; v < 4; v++) {
                volume(POLICIES.get(p) + "-pv-" + v, POLICIES.get(p), f, (p * 4 + v) % NODES);
            }
        }
        policy(client, "broken", "tape"); // no such StorageTier: the reconciler reports it, the planner leaves it out
        PlannerLoop loop = f.loop("default");
        PolicyPasses passes = new PolicyPasses();
        PlannerDriver driver = new PlannerDriver(loop, ClusterReads.listing(client), f.actions, passes,
                java.time.Clock.systemUTC());

        assertThat(driver.tick()).as("no pass before this operator leads").isEmpty();
        assertEachNodeAsked(f, 0);

        driver.lead();
        Map<String, PlannerLoop.Result> first = driver.tick();
        assertThat(first).containsOnlyKeys(POLICIES);
        first.values().forEach(r -> {
            assertThat(r.volumes()).isEqualTo(4);
            assertThat(r.nodes()).isEqualTo(NODES);
        });
        assertEachNodeAsked(f, 1);
        POLICIES.forEach(p -> assertThat(passes.lastEvaluated(p)).isNotNull());
        assertThat(passes.lastEvaluated("broken")).isNull();

        // Within the policies' hour nothing is due: no pass, no agent asked.
        assertThat(driver.tick()).isEmpty();
        assertEachNodeAsked(f, 1);

        // A node's failure alarm turning on makes every policy due at once, still with one sweep.
        StorageNode sn = client.resources(StorageNode.class).withName(PlannerFixture.node(2)).get();
        StorageNodeStatus st = new StorageNodeStatus();
        Condition c = new Condition();
        c.setType("EvacuationRecommended");
        c.setStatus(dev.prescient.api.v1alpha1.common.ConditionStatus.True);
        c.setReason("FailurePredicted");
        c.setMessage("failure probability 0.90");
        c.setLastTransitionTime(java.time.Instant.now().toString());
        st.setConditions(List.of(c));
        sn.setStatus(st);
        client.resource(sn).updateStatus();
        assertThat(driver.tick()).containsOnlyKeys(POLICIES);
        assertEachNodeAsked(f, 2);
        // Unchanged alarms: not due again.
        assertThat(driver.tick()).isEmpty();
        assertEachNodeAsked(f, 2);
    }

    @Test
    void aTickUnderOneMillisecondIsRefusedWithItsSetting() {
        PlannerFixture f = new PlannerFixture(client);
        PlannerDriver driver = new PlannerDriver(f.loop("default"), ClusterReads.listing(client), f.actions,
                new PolicyPasses(), java.time.Clock.systemUTC());
        for (java.time.Duration bad : List.of(java.time.Duration.ZERO, java.time.Duration.ofMillis(-250))) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> driver.start(bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("prescient.planner.tick must be at least 1ms, not " + bad);
        }
        driver.close();
    }
}
