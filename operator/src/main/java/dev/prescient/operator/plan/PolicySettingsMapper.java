package dev.prescient.operator.plan;

import dev.prescient.api.v1alpha1.policy.ActionThresholds;
import dev.prescient.api.v1alpha1.policy.CapacitySettings;
import dev.prescient.api.v1alpha1.policy.Exclusions;
import dev.prescient.api.v1alpha1.policy.FailurePrediction;
import dev.prescient.api.v1alpha1.policy.HeatClass;
import dev.prescient.api.v1alpha1.policy.MigrationSettings;
import dev.prescient.api.v1alpha1.policy.MirrorPolicySpec;
import dev.prescient.api.v1alpha1.policy.PreStaging;
import dev.prescient.api.v1alpha1.policy.SpreadDomain;
import dev.prescient.operator.util.Units;

import java.util.Set;

/** MirrorPolicy spec to planner settings; anything unset takes the planner default. */
public final class PolicySettingsMapper {

    private PolicySettingsMapper() {
    }

    public static PlannerSettings map(MirrorPolicySpec p) {
        PlannerSettings d = PlannerSettings.defaults();
        ActionThresholds t = p.getThresholds() == null ? new ActionThresholds() : p.getThresholds();
        MigrationSettings m = p.getMigration() == null ? new MigrationSettings() : p.getMigration();
        FailurePrediction f = p.getFailurePrediction() == null ? new FailurePrediction() : p.getFailurePrediction();
        PreStaging ps = p.getPreStaging() == null ? new PreStaging() : p.getPreStaging();
        CapacitySettings c = p.getCapacity() == null ? new CapacitySettings() : p.getCapacity();
        Exclusions ex = p.getExclusions() == null ? new Exclusions() : p.getExclusions();
        return new PlannerSettings(
                or(t.getPreStage(), d.preStageScore()), or(t.getMirror(), d.mirrorScore()),
                or(t.getMigrate(), d.migrateScore()),
                heat("Hot", p.getHeatClasses() == null ? null : p.getHeatClasses().getHot(), d.hot()),
                heat("Warm", p.getHeatClasses() == null ? null : p.getHeatClasses().getWarm(), d.warm()),
                heat("Cold", p.getHeatClasses() == null ? null : p.getHeatClasses().getCold(), d.cold()),
                or(m.getBenefitThreshold(), d.benefitThreshold()), or(m.getHysteresis(), d.hysteresis()),
                Units.duration(m.getCoolDown(), d.coolDown()),
                m.getMaxConcurrentPerNode() == null ? d.maxConcurrentPerNode() : m.getMaxConcurrentPerNode(),
                m.getMaxConcurrentPerCluster() == null ? d.maxConcurrentPerCluster() : m.getMaxConcurrentPerCluster(),
                Units.bytes(m.getBandwidthLimit(), d.bandwidthPerMigration()),
                f.getEnabled() == null ? d.evacuationEnabled() : f.getEnabled(),
                or(f.getProbabilityThreshold(), d.failureThreshold()), or(f.getMinConfidence(), d.minConfidence()),
                Units.duration(f.getRollbackAfter(), d.rollbackAfter()),
                ps.getEnabled() == null ? d.preStagingEnabled() : ps.getEnabled(),
                Units.duration(ps.getExpireAfter(), d.preStageExpireAfter()),
                ps.getMaxPerVolume() == null ? d.maxPreStagedPerVolume() : ps.getMaxPerVolume(),
                Units.duration(c.getForecastHorizon(), d.capacityHorizon()),
                c.getBufferPercent() == null ? d.capacityBufferPercent() : c.getBufferPercent(),
                p.getSpread() == SpreadDomain.Zone,
                ex.getVolumes() == null ? Set.of() : Set.copyOf(ex.getVolumes()),
                ex.getNodes() == null ? Set.of() : Set.copyOf(ex.getNodes()));
    }

    private static PlannerSettings.HeatTier heat(String name, HeatClass c, PlannerSettings.HeatTier d) {
        if (c == null) {
            return d;
        }
        return new PlannerSettings.HeatTier(name, or(c.getMinScore(), d.minScore()),
                c.getTier() == null ? d.tier() : c.getTier(), c.getReplicas() == null ? d.replicas() : c.getReplicas());
    }

    private static double or(Double v, double d) {
        return v == null ? d : v;
    }
}
