package dev.prescient.operator.migration;

import dev.prescient.api.v1alpha1.migration.MigrationPhase;

import static dev.prescient.api.v1alpha1.migration.MigrationPhase.*;

/**
 * The phases of a VolumeMigration and what a failure or a cancel does in each. The one hard rule: once the
 * switch happened ({@code checkpoint.switched}) the new replica is authoritative and the migration only moves
 * forward; before it, the old replica set never stopped being authoritative, so rolling back is always safe.
 */
public final class MigrationStateMachine {

    private final int maxAttempts;

    public MigrationStateMachine(int maxAttempts) {
        this.maxAttempts = maxAttempts;
    }

    /** The phase after a successful step. */
    public MigrationPhase next(MigrationPhase phase) {
        return switch (phase) {
            case Pending -> Snapshotting;
            case Snapshotting -> Transferring;
            case Transferring -> Verifying;
            case Verifying -> SwitchingOver;
            case SwitchingOver -> CleaningUp;
            case CleaningUp -> Succeeded;
            case RollingBack -> RolledBack;
            case Succeeded, RolledBack, Failed -> phase;
        };
    }

    /**
     * The phase after a failed step. {@code attempts} counts failures in this phase including this one.
     * Retryable errors are retried in place up to maxAttempts; after the switch they are retried forever.
     */
    public MigrationPhase onFailure(MigrationPhase phase, boolean switched, boolean retryable, int attempts) {
        if (phase.terminal()) {
            return phase;
        }
        if (switched) {
            return phase;
        }
        if (phase == RollingBack) {
            // Rollback that keeps failing needs a person: say so instead of looping silently.
            return attempts >= maxAttempts ? Failed : RollingBack;
        }
        if (retryable && attempts < maxAttempts) {
            return phase;
        }
        return RollingBack;
    }

    /** A cancel before the switch rolls back; after it (or when done) it is ignored. */
    public MigrationPhase onCancel(MigrationPhase phase, boolean switched) {
        if (phase.terminal() || switched || phase == RollingBack) {
            return phase;
        }
        return RollingBack;
    }

    /** Whether going from one phase to another is a move this machine can make (used to reject bad status edits). */
    public boolean allowed(MigrationPhase from, MigrationPhase to, boolean switched) {
        if (from == to) {
            return true;
        }
        if (from.terminal()) {
            return false;
        }
        if (to == next(from)) {
            return true;
        }
        if (to == RollingBack) {
            return !switched;
        }
        return to == Failed && from == RollingBack;
    }

    /**
     * Whether {@code to} can follow {@code from} through any number of moves of this machine. Used to tell a stale
     * read (a status older than the one last written) from a newer one: a status the operator wrote is reachable
     * from every older one, never the other way round.
     */
    public boolean reachable(MigrationPhase from, MigrationPhase to) {
        java.util.Set<MigrationPhase> seen = java.util.EnumSet.noneOf(MigrationPhase.class);
        java.util.ArrayDeque<MigrationPhase> todo = new java.util.ArrayDeque<>(java.util.List.of(from));
        while (!todo.isEmpty()) {
            MigrationPhase p = todo.poll();
            if (!seen.add(p)) {
                continue;
            }
            if (p == to) {
                return true;
            }
            if (!p.terminal()) {
                todo.add(next(p));
                todo.add(p == RollingBack ? Failed : RollingBack);
            }
        }
        return false;
    }
}
