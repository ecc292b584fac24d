package dev.prescient.operator.status;

import dev.prescient.api.v1alpha1.common.ConditionStatus;
import dev.prescient.api.v1alpha1.migration.MigrationPhase;
import dev.prescient.api.v1alpha1.migration.VolumeMigrationStatus;

import java.time.Instant;

/**
 * Conditions of a VolumeMigration from its phase: Ready (done and in effect), Progressing (moving), Failed
 * (stopped without reaching its goal, with the last error as message), and Explained (why it exists).
 */
public final class MigrationStatusAggregator {

    private MigrationStatusAggregator() {
    }

    public static VolumeMigrationStatus aggregate(VolumeMigrationStatus s, long generation, Instant now,
                                                  String lastError, String explanation) {
        MigrationPhase p = s.getPhase() == null ? MigrationPhase.Pending : s.getPhase();
        Conditions c = new Conditions(s.getConditions(), generation, now);
        c.set("Ready", p == MigrationPhase.Succeeded, p.name(), switch (p) {
            case Succeeded -> "the volume is served from its new place";
            case RolledBack -> "rolled back: the volume stayed where it was" + suffix(lastError);
            case Failed -> "rollback could not complete; a person must look" + suffix(lastError);
            default -> "in phase " + p;
        });
        c.set("Progressing", !p.terminal(), p.name(), p.terminal() ? "finished" : progress(s));
        c.set("Failed", p == MigrationPhase.Failed || p == MigrationPhase.RolledBack
                        ? ConditionStatus.True : ConditionStatus.False,
                p == MigrationPhase.Failed ? "RollbackFailed" : p == MigrationPhase.RolledBack ? "RolledBack" : "NoFailure",
                lastError == null ? "" : lastError);
        if (explanation != null && !explanation.isBlank()) {
            c.set("Explained", true, "Planner", explanation);
        }
        s.setConditions(c.toList());
        s.setObservedGeneration(generation);
        return s;
    }

    private static String suffix(String err) {
        return err == null ? "" : ": " + err;
    }

    private static String progress(VolumeMigrationStatus s) {
        if (s.getBytesTotal() == null || s.getBytesMoved() == null) {
            return "starting";
        }
        return s.getBytesMoved() + "/" + s.getBytesTotal() + " bytes"
                + (s.getEtaSeconds() == null ? "" : ", eta " + s.getEtaSeconds() + "s");
    }
}
