package dev.prescient.operator.plan;

import java.time.Duration;
import java.util.Set;

/**
 * The policy knobs the planner reads, already parsed and defaulted (see {@code PolicySettingsMapper} for the
 * MirrorPolicy side). Kept free of Kubernetes types so the scenario tables can build them directly.
 */
public record PlannerSettings(
        double preStageScore, double mirrorScore, double migrateScore,
        HeatTier hot, HeatTier warm, HeatTier cold,
        double benefitThreshold, double hysteresis, Duration coolDown,
        int maxConcurrentPerNode, int maxConcurrentPerCluster, long bandwidthPerMigration,
        boolean evacuationEnabled, double failureThreshold, double minConfidence, Duration rollbackAfter,
        boolean preStagingEnabled, Duration preStageExpireAfter, int maxPreStagedPerVolume,
        Duration capacityHorizon, int capacityBufferPercent,
        boolean spreadByZone, Set<String> excludedVolumes, Set<String> excludedNodes) {

    /** One heat class: the lowest score that belongs to it, the tier it lives on, and how many copies it keeps. */
    public record HeatTier(String name, double minScore, String tier, int replicas) {
    }

    /** Defaults that match the CRD defaults, so a policy with an empty spec behaves like these. */
    public static PlannerSettings defaults() {
        return new PlannerSettings(0.3, 0.5, 0.7,
                new HeatTier("Hot", 0.6, "nvme", 2), new HeatTier("Warm", 0.2, "ssd", 1),
                new HeatTier("Cold", 0.0, "hdd", 1),
                0.1, 0.05, Duration.ofMinutes(10), 2, 10, 200L << 20,
                true, 0.5, 0.6, Duration.ofHours(168),
                true, Duration.ofHours(24), 1,
                Duration.ofHours(24), 20, false, Set.of(), Set.of());
    }

    public PlannerSettings withLimits(int perNode, int perCluster) {
        return new PlannerSettings(preStageScore, mirrorScore, migrateScore, hot, warm, cold, benefitThreshold,
                hysteresis, coolDown, perNode, perCluster, bandwidthPerMigration, evacuationEnabled, failureThreshold,
                minConfidence, rollbackAfter, preStagingEnabled, preStageExpireAfter, maxPreStagedPerVolume,
                capacityHorizon, capacityBufferPercent, spreadByZone, excludedVolumes, excludedNodes);
    }

    public PlannerSettings withExclusions(Set<String> volumes, Set<String> nodes) {
        return new PlannerSettings(preStageScore, mirrorScore, migrateScore, hot, warm, cold, benefitThreshold,
                hysteresis, coolDown, maxConcurrentPerNode, maxConcurrentPerCluster, bandwidthPerMigration,
                evacuationEnabled, failureThreshold, minConfidence, rollbackAfter, preStagingEnabled,
                preStageExpireAfter, maxPreStagedPerVolume, capacityHorizon, capacityBufferPercent, spreadByZone,
                Set.copyOf(volumes), Set.copyOf(nodes));
    }

    public PlannerSettings withSpreadByZone(boolean byZone) {
        return new PlannerSettings(preStageScore, mirrorScore, migrateScore, hot, warm, cold, benefitThreshold,
                hysteresis, coolDown, maxConcurrentPerNode, maxConcurrentPerCluster, bandwidthPerMigration,
                evacuationEnabled, failureThreshold, minConfidence, rollbackAfter, preStagingEnabled,
                preStageExpireAfter, maxPreStagedPerVolume, capacityHorizon, capacityBufferPercent, byZone,
                excludedVolumes, excludedNodes);
    }

    public PlannerSettings withFailureThreshold(double threshold) {
        return new PlannerSettings(preStageScore, mirrorScore, migrateScore, hot, warm, cold, benefitThreshold,
                hysteresis, coolDown, maxConcurrentPerNode, maxConcurrentPerCluster, bandwidthPerMigration,
                evacuationEnabled, threshold, minConfidence, rollbackAfter, preStagingEnabled,
                preStageExpireAfter, maxPreStagedPerVolume, capacityHorizon, capacityBufferPercent, spreadByZone,
                excludedVolumes, excludedNodes);
    }

    HeatTier heatTier(HeatLevel level) {
        return switch (level) {
            case Hot -> hot;
            case Warm -> warm;
            case Cold -> cold;
        };
    }
}
