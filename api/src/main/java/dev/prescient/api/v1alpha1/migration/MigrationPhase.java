package dev.prescient.api.v1alpha1.migration;

/**
 * Pending -> Snapshotting -> Transferring -> Verifying -> SwitchingOver -> CleaningUp -> Succeeded,
 * or RollingBack -> RolledBack, or Failed.
 */
public enum MigrationPhase {
    Pending, Snapshotting, Transferring, Verifying, SwitchingOver, CleaningUp, Succeeded, RollingBack, RolledBack, Failed;

    public boolean terminal() {
        return this == Succeeded || this == RolledBack || this == Failed;
    }
}
