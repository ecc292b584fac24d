package dev.prescient.local.runtime;

import dev.prescient.api.v1alpha1.migration.MigrationPhase;
import dev.prescient.local.decide.Action;

/** The live state of one executed action, as the view and the VolumeMigration status show it. */
public final class MigrationRecord {
    public final String id;
    public final Action action;
    public final double startedAtSeconds;
    public volatile MigrationPhase phase = MigrationPhase.Pending;
    public volatile long bytesDone;
    public volatile long bytesTotal;
    public volatile int preCopyRounds;
    public volatile double pauseMillis = -1;
    public volatile double finishedAtSeconds = -1;
    public volatile String error = "";

    public MigrationRecord(String id, Action action, double startedAtSeconds) {
        this.id = id;
        this.action = action;
        this.startedAtSeconds = startedAtSeconds;
    }

    public int progressPercent() {
        if (phase == MigrationPhase.Succeeded) {
            return 100;
        }
        return bytesTotal <= 0 ? 0 : (int) Math.min(99, bytesDone * 100 / bytesTotal);
    }

    public boolean done() {
        return phase == MigrationPhase.Succeeded || phase == MigrationPhase.Failed
                || phase == MigrationPhase.RolledBack;
    }
}
