package dev.prescient.operator.plan;

import dev.prescient.api.v1alpha1.migration.MigrationReason;

import java.time.Duration;

/**
 * One decision. {@code explanation} carries the scores and forecasts behind it so that the VolumeMigration's
 * status can say why it exists. {@code removal} says what kind of removal a RemoveReplica is;
 * {@code bandwidthBytesPerSecond} is what admission granted a data-moving action (0 before admission).
 */
public record PlannedAction(ActionKind kind, String volume, String fromNode, String fromTier, String toNode,
                            String toTier, MigrationReason reason, boolean keepSource, Duration expireAfter,
                            String replicaId, double benefit, String explanation,
                            VolumeInsights.RemovalKind removal, long bandwidthBytesPerSecond) {

    public PlannedAction(ActionKind kind, String volume, String fromNode, String fromTier, String toNode,
                         String toTier, MigrationReason reason, boolean keepSource, Duration expireAfter,
                         String replicaId, double benefit, String explanation) {
        this(kind, volume, fromNode, fromTier, toNode, toTier, reason, keepSource, expireAfter, replicaId, benefit,
                explanation, null, 0);
    }

    PlannedAction withBandwidth(long bytesPerSecond) {
        return new PlannedAction(kind, volume, fromNode, fromTier, toNode, toTier, reason, keepSource, expireAfter,
                replicaId, benefit, explanation, removal, bytesPerSecond);
    }

    /** Whether the action moves data (and therefore holds concurrency and bandwidth). */
    public boolean movesData() {
        return kind != ActionKind.RemoveReplica;
    }

    /** Urgent actions protect data and may bypass cool-down. */
    public boolean urgent() {
        return kind == ActionKind.Evacuate;
    }
}
