package dev.prescient.operator.migration;

import org.junit.jupiter.api.Test;

import static dev.prescient.api.v1alpha1.migration.MigrationPhase.*;
import static org.assertj.core.api.Assertions.assertThat;

class MigrationStateMachineTest {

    final MigrationStateMachine m = new MigrationStateMachine(3);

    @Test
    void forwardPath() {
        assertThat(m.next(Pending)).isEqualTo(Snapshotting);
        assertThat(m.next(Snapshotting)).isEqualTo(Transferring);
        assertThat(m.next(Transferring)).isEqualTo(Verifying);
        assertThat(m.next(Verifying)).isEqualTo(SwitchingOver);
        assertThat(m.next(SwitchingOver)).isEqualTo(CleaningUp);
        assertThat(m.next(CleaningUp)).isEqualTo(Succeeded);
        assertThat(m.next(RollingBack)).isEqualTo(RolledBack);
        assertThat(m.next(Succeeded)).isEqualTo(Succeeded);
    }

    @Test
    void failuresBeforeTheSwitchRollBackAfterRetries() {
        assertThat(m.onFailure(Transferring, false, true, 1)).isEqualTo(Transferring);
        assertThat(m.onFailure(Transferring, false, true, 3)).isEqualTo(RollingBack);
        assertThat(m.onFailure(Verifying, false, false, 1)).isEqualTo(RollingBack);
        assertThat(m.onFailure(Pending, false, false, 1)).isEqualTo(RollingBack);
    }

    @Test
    void afterTheSwitchOnlyForward() {
        assertThat(m.onFailure(SwitchingOver, true, false, 1)).isEqualTo(SwitchingOver);
        assertThat(m.onFailure(CleaningUp, true, false, 99)).isEqualTo(CleaningUp);
        assertThat(m.onCancel(CleaningUp, true)).isEqualTo(CleaningUp);
        assertThat(m.allowed(CleaningUp, RollingBack, true)).isFalse();
        assertThat(m.allowed(Verifying, RollingBack, false)).isTrue();
    }

    @Test
    void rollbackThatKeepsFailingEndsFailed() {
        assertThat(m.onFailure(RollingBack, false, true, 2)).isEqualTo(RollingBack);
        assertThat(m.onFailure(RollingBack, false, true, 3)).isEqualTo(Failed);
    }

    @Test
    void cancelAndTerminalPhases() {
        assertThat(m.onCancel(Transferring, false)).isEqualTo(RollingBack);
        assertThat(m.onCancel(Succeeded, false)).isEqualTo(Succeeded);
        assertThat(m.onFailure(RolledBack, false, false, 1)).isEqualTo(RolledBack);
        assertThat(m.allowed(Succeeded, Pending, false)).isFalse();
        assertThat(m.allowed(Pending, Verifying, false)).isFalse();
    }

    @Test
    void reachableTellsOlderPhasesFromNewerOnes() {
        MigrationStateMachine m = new MigrationStateMachine(3);
        assertThat(m.reachable(Snapshotting, RollingBack)).isTrue();
        assertThat(m.reachable(Pending, Succeeded)).isTrue();
        assertThat(m.reachable(Transferring, Failed)).isTrue();
        assertThat(m.reachable(RollingBack, Snapshotting)).isFalse();
        assertThat(m.reachable(CleaningUp, Transferring)).isFalse();
        assertThat(m.reachable(Succeeded, Pending)).isFalse();
    }
}
