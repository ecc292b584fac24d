package dev.prescient.operator.reconcile;

import dev.prescient.operator.act.KubeEvents;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.prescient.api.v1alpha1.migration.MigrationPhase;
import dev.prescient.api.v1alpha1.migration.VolumeMigration;
import dev.prescient.operator.agent.InMemoryNodeAgent;
import dev.prescient.operator.agent.InMemoryNodeAgents;
import dev.prescient.operator.metrics.OperatorMetrics;
import dev.prescient.operator.migration.MigrationExecutor;
import dev.prescient.operator.migration.MigrationStateMachine;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The VolumeMigration reconciler against a real API server (KUBECONFIG), as the operator runs in a cluster: status
 * written by server-side apply (which the mock server cannot do), the CRDs' CEL rules on the way, and Events about
 * a cluster-scoped object, which a real server accepts only in namespace default. Node agents are in memory.
 * Skipped, saying so, when no cluster is given.
 */
class OperatorClusterIT {

    static KubernetesClient client;
    static Operator operator;
    static InMemoryNodeAgents cluster;

    @BeforeAll
    static void start() throws Exception {
        if (System.getenv("KUBECONFIG") == null) {
            System.out.println("OperatorClusterIT skipped: no KUBECONFIG given (set it to run the reconcilers against a real API server)");
        }
        Assumptions.assumeTrue(System.getenv("KUBECONFIG") != null, "no KUBECONFIG: no real API server to reconcile against");
        client = new KubernetesClientBuilder().build();
        MockCluster.installCrds(client);
        for (var crd : client.apiextensions().v1().customResourceDefinitions().list().getItems()) {
            if (crd.getSpec().getGroup().equals("storage.prescient.dev")) {
                client.apiextensions().v1().customResourceDefinitions().resource(crd).waitUntilCondition(c -> c.getStatus() != null
                        && c.getStatus().getConditions().stream().anyMatch(x -> x.getType().equals("Established")
                        && x.getStatus().equals("True")), 60, java.util.concurrent.TimeUnit.SECONDS);
            }
        }
        cluster = new InMemoryNodeAgents();
        MigrationExecutor ex = new MigrationExecutor(cluster, new MigrationStateMachine(1000), Clock.systemUTC(), Duration.ofMillis(5));
        // Production settings: status patched with server-side apply.
        operator = new Operator(o -> o.withKubernetesClient(client).withCloseClientOnStop(false)
                .withStopOnInformerErrorDuringStartup(true));
        operator.register(new VolumeMigrationReconciler(ex, new KubeEvents(client, Clock.systemUTC()),
                new OperatorMetrics(new SimpleMeterRegistry()), Clock.systemUTC()));
        operator.start();
    }

    @AfterAll
    static void stop() {
        if (operator != null) {
            operator.stop();
        }
        if (client != null) {
            client.close();
        }
    }

    @Test
    void aMigrationByHandSucceedsWithStatusByServerSideApplyAndEventsInDefault() {
        String name = "cluster-it-" + Long.toHexString(System.nanoTime());
        String volume = "pv-" + name;
        byte[] data = new byte[64 * 1024];
        new Random(7).nextBytes(data);
        InMemoryNodeAgent a = cluster.add("node-a", "z1", Map.of("ssd", 1L << 30));
        cluster.add("node-b", "z2", Map.of("ssd", 1L << 30));
        a.putReplica(volume + "-a", volume, "ssd", data);
        cluster.setActiveReplica(volume, volume + "-a");

        client.resource(VolumeMigrationMockTest.migration(name, volume)).create();
        try {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
                VolumeMigration vm = client.resources(VolumeMigration.class).withName(name).get();
                return vm.getStatus() != null && vm.getStatus().getPhase() != null && vm.getStatus().getPhase().terminal();
            });
            VolumeMigration vm = client.resources(VolumeMigration.class).withName(name).get();
            assertThat(vm.getStatus().getPhase()).isEqualTo(MigrationPhase.Succeeded);
            assertThat(vm.getStatus().getBytesMoved()).isEqualTo(data.length);
            assertThat(cluster.readVolume(volume)).isEqualTo(data);
            assertThat(vm.getMetadata().getManagedFields()).as("status written by server-side apply")
                    .anyMatch(f -> "Apply".equals(f.getOperation()) && "status".equals(f.getSubresource()));
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                List<Event> events = client.v1().events().inNamespace("default").list().getItems().stream()
                        .filter(e -> name.equals(e.getInvolvedObject().getName())).toList();
                assertThat(events).as("Events about the cluster-scoped VolumeMigration, accepted in default")
                        .anyMatch(e -> e.getReason().equals("Succeeded"));
            });
        } finally {
            client.resources(VolumeMigration.class).withName(name).delete();
        }
    }
}
