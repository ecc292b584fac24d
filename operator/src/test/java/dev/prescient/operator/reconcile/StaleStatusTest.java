package dev.prescient.operator.reconcile;

import dev.prescient.api.v1alpha1.migration.MigrationCheckpoint;
import dev.prescient.api.v1alpha1.migration.MigrationPhase;
import dev.prescient.api.v1alpha1.migration.VolumeMigrationStatus;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The informer cache can hand the reconciler a status older than the one it just patched (seen in
 * VolumeMigrationMockTest under load: a migration that had decided RollingBack re-ran Snapshotting and went on to
 * Succeeded). The reconciler continues from the newer of the two.
 */
class StaleStatusTest {

    static VolumeMigrationStatus status(MigrationPhase p, Boolean switched) {
        VolumeMigrationStatus s = new VolumeMigrationStatus();
        s.setPhase(p);
        MigrationCheckpoint c = new MigrationCheckpoint();
        c.setSwitched(switched);
        s.setCheckpoint(c);
        return s;
    }

    final VolumeMigrationReconciler r = new VolumeMigrationReconciler(null, null, null, null);

    @Test
    void aStaleReadDoesNotWinOverWhatWasWritten() {
        VolumeMigrationStatus written = status(MigrationPhase.RollingBack, null);
        VolumeMigrationStatus stale = status(MigrationPhase.Snapshotting, null);
        assertThat(r.fresher(stale, written)).isSameAs(written);
        // Nothing read yet (the create event's object) but a status written: the written one.
        assertThat(r.fresher(null, written)).isSameAs(written);
        // The same phase, but the switch is only in what was written.
        VolumeMigrationStatus switched = status(MigrationPhase.SwitchingOver, true);
        assertThat(r.fresher(status(MigrationPhase.SwitchingOver, null), switched)).isSameAs(switched);
    }

    @Test
    void aNewerReadWins() {
        VolumeMigrationStatus read = status(MigrationPhase.Transferring, null);
        assertThat(r.fresher(read, status(MigrationPhase.Snapshotting, null))).isSameAs(read);
        assertThat(r.fresher(read, status(MigrationPhase.Transferring, null))).isSameAs(read);
        // After a restart nothing was written here.
        assertThat(r.fresher(read, null)).isSameAs(read);
        VolumeMigrationStatus done = status(MigrationPhase.Succeeded, true);
        assertThat(r.fresher(done, status(MigrationPhase.CleaningUp, true))).isSameAs(done);
    }
}
