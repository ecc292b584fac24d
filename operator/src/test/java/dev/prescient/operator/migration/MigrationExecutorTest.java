package dev.prescient.operator.migration;

import dev.prescient.api.v1alpha1.common.NodeTier;
import dev.prescient.api.v1alpha1.migration.MigrationPhase;
import dev.prescient.api.v1alpha1.migration.MigrationReason;
import dev.prescient.api.v1alpha1.migration.VolumeMigrationSpec;
import dev.prescient.api.v1alpha1.migration.VolumeMigrationStatus;
import dev.prescient.operator.agent.InMemoryNodeAgent;
import dev.prescient.operator.agent.InMemoryNodeAgents;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

import static dev.prescient.api.v1alpha1.migration.MigrationPhase.*;
import static org.assertj.core.api.Assertions.assertThat;

/** Every phase, with a failure injected in the fake agents or a crash of the operator, ends with the data intact. */
class MigrationExecutorTest {

    static final String VOL = "pv-1";
    static final String SRC = "pv-1-a";
    static final String NAME = "mig-1";

    final InMemoryNodeAgents cluster = new InMemoryNodeAgents();
    final InMemoryNodeAgent a = cluster.add("node-a", "z1", Map.of("ssd", 1L << 30, "hdd", 1L << 30));
    final InMemoryNodeAgent b = cluster.add("node-b", "z2", Map.of("ssd", 1L << 30));
    final byte[] data = new byte[256 * 1024];

    MigrationExecutorTest() {
        new Random(42).nextBytes(data);
        a.putReplica(SRC, VOL, "ssd", data);
        cluster.setActiveReplica(VOL, SRC);
        // Transfers take several polls, so a test can stop in the middle of one.
        b.setChunkBytes(64 * 1024);
    }

    MigrationExecutor executor() {
        return new MigrationExecutor(cluster, new MigrationStateMachine(3), Clock.systemUTC(), Duration.ofMillis(1));
    }

    static VolumeMigrationSpec spec(String toNode, String toTier, boolean keepSource) {
        VolumeMigrationSpec s = new VolumeMigrationSpec();
        s.setVolume(VOL);
        NodeTier from = new NodeTier();
        from.setNode("node-a");
        from.setTier("ssd");
        NodeTier to = new NodeTier();
        to.setNode(toNode);
        to.setTier(toTier);
        s.setFrom(from);
        s.setTo(to);
        s.setReason(MigrationReason.Manual);
        s.setKeepSource(keepSource);
        s.setCancel(false);
        return s;
    }

    VolumeMigrationStatus runUntil(MigrationExecutor ex, VolumeMigrationSpec spec, VolumeMigrationStatus s,
                                   MigrationPhase stop) {
        for (int i = 0; i < 200; i++) {
            MigrationPhase now = s == null || s.getPhase() == null ? Pending : s.getPhase();
            if (now == stop || now.terminal()) {
                return s;
            }
            s = ex.step(NAME, spec, s).status();
        }
        throw new AssertionError("did not reach " + stop + ", stuck in " + s.getPhase());
    }

    VolumeMigrationStatus runToEnd(MigrationExecutor ex, VolumeMigrationSpec spec, VolumeMigrationStatus s) {
        return runUntil(ex, spec, s, null);
    }

    void assertMovedAndClean(VolumeMigrationStatus s) {
        assertThat(s.getPhase()).isEqualTo(Succeeded);
        assertThat(cluster.activeReplica(VOL)).isEqualTo(MigrationExecutor.targetReplicaId(NAME));
        assertThat(cluster.readVolume(VOL)).isEqualTo(data);
        assertThat(a.replicaIds()).doesNotContain(SRC);
        assertThat(a.snapshotIds()).isEmpty();
        assertThat(s.getCheckpoint().getSwitched()).isTrue();
        assertThat(s.getCompletionTime()).isNotNull();
    }

    void assertRolledBackAndClean(VolumeMigrationStatus s) {
        assertThat(s.getPhase()).isEqualTo(RolledBack);
        assertThat(cluster.activeReplica(VOL)).isEqualTo(SRC);
        assertThat(cluster.readVolume(VOL)).isEqualTo(data);
        assertThat(b.replicaIds()).isEmpty();
        assertThat(a.snapshotIds()).isEmpty();
    }

    @Test
    void migrationMovesTheDataAndReportsProgressAndPause() {
        MigrationExecutor ex = executor();
        VolumeMigrationStatus s = runUntil(ex, spec("node-b", "ssd", false), null, Verifying);
        assertThat(s.getBytesMoved()).isEqualTo(data.length);
        assertThat(s.getProgressPercent()).isEqualTo(100);
        s = runToEnd(ex, spec("node-b", "ssd", false), s);
        assertMovedAndClean(s);
        assertThat(s.getPauseMillis()).isEqualTo(1.5);
        // The switch names the target's agent: the source node's front-end hands its other members there when
        // it stops (a third copy would stop receiving writes otherwise).
        assertThat(b.lastSwitch().getNewReplicaAddress()).isEqualTo("node-b:9601");
        assertThat(b.lastSwitch().getOldReplicaId()).isEqualTo(SRC);
    }

    @Test
    void transferIsObservedRunningWithPartialProgress() {
        MigrationExecutor ex = executor();
        VolumeMigrationStatus s = runUntil(ex, spec("node-b", "ssd", false), null, Transferring);
        MigrationExecutor.Step step = ex.step(NAME, spec("node-b", "ssd", false), s);
        assertThat(step.status().getPhase()).isEqualTo(Transferring);
        assertThat(step.status().getProgressPercent()).isBetween(1, 99);
        assertThat(step.requeueAfter()).isPositive();
    }

    @Test
    void tierChangeOnTheSameNode() {
        MigrationExecutor ex = executor();
        VolumeMigrationStatus s = runToEnd(ex, spec("node-a", "hdd", false), null);
        assertThat(s.getPhase()).isEqualTo(Succeeded);
        assertThat(cluster.readVolume(VOL)).isEqualTo(data);
        assertThat(a.replicaIds()).containsExactly(MigrationExecutor.targetReplicaId(NAME));
    }

    @Test
    void tierChangeLeavesTheVolumesCopyOnAnotherNode() {
        // A retier of a volume that also has a copy elsewhere (an evacuation copy or a mirror): only the source on
        // from.node/from.tier is switched away from and deleted.
        b.putReplica("pv-1-evac", VOL, "ssd", data);
        VolumeMigrationStatus s = runToEnd(executor(), spec("node-a", "hdd", false), null);
        assertThat(s.getPhase()).isEqualTo(Succeeded);
        assertThat(a.replicaIds()).containsExactly(MigrationExecutor.targetReplicaId(NAME));
        assertThat(b.replicaIds()).containsExactly("pv-1-evac");
        assertThat(b.replicaData("pv-1-evac")).isEqualTo(data);
    }

    @Test
    void addedReplicaKeepsTheSourceAndDoesNotSwitch() {
        VolumeMigrationStatus s = runToEnd(executor(), spec("node-b", "ssd", true), null);
        assertThat(s.getPhase()).isEqualTo(Succeeded);
        assertThat(cluster.activeReplica(VOL)).isEqualTo(SRC);
        assertThat(b.replicaData(MigrationExecutor.targetReplicaId(NAME))).isEqualTo(data);
        assertThat(a.replicaData(SRC)).isEqualTo(data);
    }

    /** The failure each phase gets: something the fake agents can really do wrong at that point. */
    void inject(MigrationPhase phase) {
        switch (phase) {
            case Pending -> a.failNext("ListReplicas", 1);
            case Snapshotting -> a.failNext("CreateSnapshot", 1);
            case Transferring -> b.failOperations("transfer", true);
            case Verifying -> b.failNext("Scrub", 1);
            case SwitchingOver -> b.failOperations("switch", true);
            case CleaningUp -> a.failNext("DeleteReplica", 2);
            default -> throw new IllegalArgumentException();
        }
    }

    @ParameterizedTest
    @EnumSource(value = MigrationPhase.class, names = {"Pending", "Snapshotting", "Transferring", "Verifying",
            "SwitchingOver", "CleaningUp"})
    void injectedFailureInEachPhaseEndsSucceededOrRolledBackWithDataIntact(MigrationPhase phase) {
        MigrationExecutor ex = executor();
        VolumeMigrationSpec spec = spec("node-b", "ssd", false);
        VolumeMigrationStatus s = runUntil(ex, spec, null, phase);
        inject(phase);
        s = runToEnd(ex, spec, s);
        if (phase == CleaningUp) {
            assertMovedAndClean(s);
        } else {
            assertRolledBackAndClean(s);
        }
    }

    @Test
    void corruptCopyIsCaughtByVerificationAndRolledBack() {
        b.setCorruptTransfers(true);
        assertRolledBackAndClean(runToEnd(executor(), spec("node-b", "ssd", false), null));
    }

    @ParameterizedTest
    @EnumSource(value = MigrationPhase.class, names = {"Pending", "Snapshotting", "Transferring", "Verifying",
            "SwitchingOver", "CleaningUp", "RollingBack"})
    void agentUnreachableForAWhileIsRetriedInPlace(MigrationPhase phase) {
        MigrationExecutor ex = executor();
        VolumeMigrationSpec spec = spec("node-b", "ssd", false);
        if (phase == RollingBack) {
            b.failOperations("switch", true);
        }
        VolumeMigrationStatus s = runUntil(ex, spec, null, phase);
        a.setDown(true);
        b.setDown(true);
        for (int i = 0; i < 2; i++) {
            MigrationExecutor.Step step = ex.step(NAME, spec, s);
            assertThat(step.status().getPhase()).isEqualTo(phase);
            assertThat(step.events()).anyMatch(e -> e.warning() && e.reason().equals("StepFailed"));
            s = step.status();
        }
        a.setDown(false);
        b.setDown(false);
        s = runToEnd(ex, spec, s);
        if (phase == RollingBack) {
            assertRolledBackAndClean(s);
        } else {
            assertMovedAndClean(s);
        }
    }

    /**
     * The operator dies right after the agent call of a step and before its status is written; a new operator
     * (a new executor, no memory) resumes from the last written status. Tried after every step of the run.
     */
    @Test
    void crashAfterEveryStepResumesToTheSameEnd() {
        int steps = countSteps(spec("node-b", "ssd", false), x -> { });
        assertThat(steps).isGreaterThan(8);
        for (int crashAt = 0; crashAt < steps; crashAt++) {
            MigrationExecutorTest fresh = new MigrationExecutorTest();
            fresh.crashAndResume(crashAt, false);
        }
    }

    @Test
    void crashAfterEveryStepOfARollbackResumesToRolledBack() {
        int steps = countSteps(spec("node-b", "ssd", false), t -> t.b.failOperations("switch", true));
        for (int crashAt = 0; crashAt < steps; crashAt++) {
            MigrationExecutorTest fresh = new MigrationExecutorTest();
            fresh.b.failOperations("switch", true);
            fresh.crashAndResume(crashAt, true);
        }
    }

    int countSteps(VolumeMigrationSpec spec, Consumer<MigrationExecutorTest> setup) {
        MigrationExecutorTest t = new MigrationExecutorTest();
        setup.accept(t);
        MigrationExecutor ex = t.executor();
        VolumeMigrationStatus s = null;
        int n = 0;
        while (s == null || !s.getPhase().terminal()) {
            s = ex.step(NAME, spec, s).status();
            n++;
        }
        return n;
    }

    void crashAndResume(int crashAt, boolean expectRollback) {
        VolumeMigrationSpec spec = spec("node-b", "ssd", false);
        MigrationExecutor first = executor();
        VolumeMigrationStatus s = null;
        for (int i = 0; i < crashAt; i++) {
            s = first.step(NAME, spec, s).status();
        }
        MigrationPhase at = s == null ? Pending : s.getPhase();
        first.step(NAME, spec, s); // its effects reach the agents; its status is lost with the operator
        VolumeMigrationStatus end = runToEnd(executor(), spec, s);
        if (expectRollback) {
            assertRolledBackAndClean(end);
        } else {
            assertThat(end.getPhase()).as("crash after a step in " + at).isEqualTo(Succeeded);
            assertMovedAndClean(end);
        }
    }

    @Test
    void crashBetweenSwitchAndCheckpointNeverRollsBackTheActiveReplica() {
        MigrationExecutor ex = executor();
        VolumeMigrationSpec spec = spec("node-b", "ssd", false);
        VolumeMigrationStatus s = runUntil(ex, spec, null, SwitchingOver);
        ex.step(NAME, spec, s); // switch done on the agent, status lost
        assertThat(cluster.activeReplica(VOL)).isEqualTo(MigrationExecutor.targetReplicaId(NAME));
        // A person cancels while the status still says SwitchingOver without the checkpoint.
        spec.setCancel(true);
        VolumeMigrationStatus end = runToEnd(executor(), spec, s);
        assertMovedAndClean(end);
    }

    @Test
    void cancelBeforeTheSwitchRollsBack() {
        MigrationExecutor ex = executor();
        VolumeMigrationSpec spec = spec("node-b", "ssd", false);
        VolumeMigrationStatus s = runUntil(ex, spec, null, Transferring);
        spec.setCancel(true);
        MigrationExecutor.Step step = ex.step(NAME, spec, s);
        assertThat(step.events()).anyMatch(e -> e.reason().equals("Cancelled"));
        assertRolledBackAndClean(runToEnd(ex, spec, step.status()));
    }

    @Test
    void missingSourceRollsBackWithoutTouchingAnything() {
        VolumeMigrationSpec spec = spec("node-b", "ssd", false);
        spec.getFrom().setTier("hdd");
        MigrationExecutor ex = executor();
        MigrationExecutor.Step first = ex.step(NAME, spec, null);
        assertThat(first.events()).anyMatch(e -> e.warning() && e.message().contains("has no replica"));
        assertRolledBackAndClean(runToEnd(ex, spec, first.status()));
    }
}
