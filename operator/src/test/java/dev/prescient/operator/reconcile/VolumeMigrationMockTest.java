package dev.prescient.operator.reconcile;

import dev.prescient.operator.act.KubeEvents;
import dev.prescient.api.v1alpha1.common.NodeTier;
import dev.prescient.api.v1alpha1.migration.MigrationPhase;
import dev.prescient.api.v1alpha1.migration.MigrationReason;
import dev.prescient.api.v1alpha1.migration.VolumeMigration;
import dev.prescient.api.v1alpha1.migration.VolumeMigrationSpec;
import dev.prescient.operator.agent.InMemoryNodeAgent;
import dev.prescient.operator.agent.InMemoryNodeAgents;
import dev.prescient.operator.metrics.OperatorMetrics;
import dev.prescient.operator.migration.MigrationExecutor;
import dev.prescient.operator.migration.MigrationStateMachine;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.prescient.api.v1alpha1.migration.MigrationPhase.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The VolumeMigration controller against the fabric8 mock API server (CRUD mode, real CRDs) and in-memory node
 * agents holding bytes: failures injected at each phase, and the operator stopped and replaced at each phase.
 */
@EnableKubernetesMockClient(crud = true)
class VolumeMigrationMockTest {

    static KubernetesClient client;
    static final AtomicInteger SEQ = new AtomicInteger();

    InMemoryNodeAgents cluster;
    InMemoryNodeAgent a;
    InMemoryNodeAgent b;
    SimpleMeterRegistry registry;
    Operator operator;
    final byte[] data = new byte[128 * 1024];

    @BeforeAll
    static void crds() throws Exception {
        assertThat(MockCluster.installCrds(client)).isEqualTo(5);
    }

    void setUp(String volume) {
        cluster = new InMemoryNodeAgents();
        a = cluster.add("node-a", "z1", Map.of("ssd", 1L << 30));
        b = cluster.add("node-b", "z2", Map.of("ssd", 1L << 30));
        b.setChunkBytes(16 * 1024);
        new Random(volume.hashCode()).nextBytes(data);
        a.putReplica(volume + "-a", volume, "ssd", data);
        cluster.setActiveReplica(volume, volume + "-a");
        registry = new SimpleMeterRegistry();
        operator = startOperator();
    }

    /** Retryable failures are retried in place without limit here, so a frozen phase stays frozen. */
    Operator startOperator() {
        MigrationExecutor ex = new MigrationExecutor(cluster, new MigrationStateMachine(1000), Clock.systemUTC(),
                Duration.ofMillis(5));
        return MockCluster.start(client, new VolumeMigrationReconciler(ex,
                new KubeEvents(client, Clock.systemUTC()), new OperatorMetrics(registry), Clock.systemUTC()));
    }

    @AfterEach
    void stop() {
        if (operator != null) {
            operator.stop();
        }
    }

    static VolumeMigration migration(String name, String volume) {
        VolumeMigration vm = new VolumeMigration();
        vm.setMetadata(new ObjectMetaBuilder().withName(name).build());
        VolumeMigrationSpec s = new VolumeMigrationSpec();
        s.setVolume(volume);
        NodeTier from = new NodeTier();
        from.setNode("node-a");
        from.setTier("ssd");
        NodeTier to = new NodeTier();
        to.setNode("node-b");
        to.setTier("ssd");
        s.setFrom(from);
        s.setTo(to);
        s.setReason(MigrationReason.Manual);
        s.setKeepSource(false);
        s.setCancel(false);
        s.setExplanation("moved by hand in a test");
        vm.setSpec(s);
        return vm;
    }

    MigrationPhase phase(String name) {
        VolumeMigration vm = client.resources(VolumeMigration.class).withName(name).get();
        return vm == null || vm.getStatus() == null ? null : vm.getStatus().getPhase();
    }

    MigrationPhase awaitEnd(String name) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> phase(name) != null && phase(name).terminal());
        return phase(name);
    }

    void assertMoved(String name, String volume) {
        assertThat(awaitEnd(name)).isEqualTo(Succeeded);
        assertThat(cluster.activeReplica(volume)).isEqualTo(MigrationExecutor.targetReplicaId(name));
        assertThat(cluster.readVolume(volume)).isEqualTo(data);
        assertThat(a.replicaIds()).isEmpty();
        assertThat(a.snapshotIds()).isEmpty();
    }

    void assertRolledBack(String name, String volume) {
        assertThat(awaitEnd(name)).isEqualTo(RolledBack);
        assertThat(cluster.activeReplica(volume)).isEqualTo(volume + "-a");
        assertThat(cluster.readVolume(volume)).isEqualTo(data);
        assertThat(b.replicaIds()).isEmpty();
        assertThat(a.snapshotIds()).isEmpty();
    }

    @Test
    void migrationCreatedByHandSucceedsWithStatusConditionsEventsAndMetrics() {
        String name = "by-hand-" + SEQ.incrementAndGet();
        String volume = "pv-" + name;
        setUp(volume);
        client.resource(migration(name, volume)).create();
        assertMoved(name, volume);
        VolumeMigration vm = client.resources(VolumeMigration.class).withName(name).get();
        assertThat(vm.getStatus().getProgressPercent()).isEqualTo(100);
        assertThat(vm.getStatus().getBytesMoved()).isEqualTo(data.length);
        assertThat(vm.getStatus().getPauseMillis()).isPositive();
        assertThat(vm.getStatus().getConditions()).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo("Ready");
            assertThat(c.getStatus().name()).isEqualTo("True");
        });
        assertThat(vm.getStatus().getConditions()).anySatisfy(c ->
                assertThat(c.getMessage()).isEqualTo("moved by hand in a test"));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(client.v1().events()
                .inNamespace("default").list().getItems())
                .anyMatch(e -> e.getInvolvedObject().getName().equals(name) && e.getReason().equals("Succeeded")));
        assertThat(registry.find("prescient.migrations").tag("phase", "Succeeded").counter().count()).isEqualTo(1);
        assertThat(registry.find("prescient.migration.bytes.moved").counter().count()).isEqualTo(data.length);
    }

    /** The failure each phase gets in the fake agents. */
    void inject(MigrationPhase phase) {
        switch (phase) {
            case Pending -> a.failNext("ListReplicas", 1);
            case Snapshotting -> a.failNext("CreateSnapshot", 1);
            case Transferring -> b.failOperations("transfer", true);
            case Verifying -> b.setCorruptTransfers(true);
            case SwitchingOver -> b.failOperations("switch", true);
            case CleaningUp -> a.failNext("DeleteReplica", 2);
            default -> throw new IllegalArgumentException(phase.name());
        }
    }

    @ParameterizedTest
    @EnumSource(value = MigrationPhase.class, names = {"Pending", "Snapshotting", "Transferring", "Verifying",
            "SwitchingOver", "CleaningUp"})
    void injectedFailureAtEachPhase(MigrationPhase phase) {
        String name = "fail-" + phase.name().toLowerCase() + "-" + SEQ.incrementAndGet();
        String volume = "pv-" + name;
        setUp(volume);
        inject(phase);
        client.resource(migration(name, volume)).create();
        if (phase == CleaningUp) {
            assertMoved(name, volume);
        } else {
            assertRolledBack(name, volume);
            VolumeMigration vm = client.resources(VolumeMigration.class).withName(name).get();
            assertThat(vm.getStatus().getConditions()).anySatisfy(c -> {
                assertThat(c.getType()).isEqualTo("Failed");
                assertThat(c.getReason()).isEqualTo("RolledBack");
                assertThat(c.getMessage()).isNotBlank();
            });
        }
    }

    /** Freezes the migration in a phase by making the agent call that phase needs unavailable. */
    void freeze(MigrationPhase phase, boolean on) {
        switch (phase) {
            case Pending -> a.block("ListReplicas", on);
            case Snapshotting -> a.block("CreateSnapshot", on);
            case Transferring -> b.block("GetOperation", on);
            case Verifying -> b.block("Scrub", on);
            case SwitchingOver -> b.block("SwitchOver", on);
            case CleaningUp -> a.block("DeleteReplica", on);
            case RollingBack -> b.block("DeleteReplica", on);
            default -> throw new IllegalArgumentException(phase.name());
        }
    }

    @ParameterizedTest
    @EnumSource(value = MigrationPhase.class, names = {"Pending", "Snapshotting", "Transferring", "Verifying",
            "SwitchingOver", "CleaningUp", "RollingBack"})
    void operatorReplacedAtEachPhaseFinishesTheJob(MigrationPhase phase) {
        String name = "restart-" + phase.name().toLowerCase() + "-" + SEQ.incrementAndGet();
        String volume = "pv-" + name;
        setUp(volume);
        if (phase == RollingBack) {
            b.failOperations("switch", true);
        }
        if (phase == Transferring) {
            // Let the transfer start and make progress, then cut the polling.
            b.setChunkBytes(8 * 1024);
        } else {
            freeze(phase, true);
        }
        client.resource(migration(name, volume)).create();
        if (phase == Transferring) {
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                VolumeMigration vm = client.resources(VolumeMigration.class).withName(name).get();
                return vm != null && vm.getStatus() != null && vm.getStatus().getPhase() == Transferring
                        && vm.getStatus().getBytesMoved() != null && vm.getStatus().getBytesMoved() > 0;
            });
            freeze(phase, true);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> phase(name) == phase);
        operator.stop();
        assertThat(phase(name)).isEqualTo(phase);
        freeze(phase, false);
        operator = startOperator();
        if (phase == RollingBack) {
            assertRolledBack(name, volume);
        } else {
            assertMoved(name, volume);
        }
    }
}
