package dev.prescient.operator.status;

import dev.prescient.api.v1alpha1.policy.HeatClasses;
import dev.prescient.api.v1alpha1.policy.MirrorPolicySpec;
import dev.prescient.api.v1alpha1.policy.MirrorPolicyStatus;
import dev.prescient.operator.util.Units;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** MirrorPolicy status: checks beyond the schema (the tiers exist, units parse) and which volumes use it. */
public final class PolicyStatusAggregator {

    private PolicyStatusAggregator() {
    }

    public static List<String> validate(MirrorPolicySpec spec, Set<String> tiers) {
        List<String> errors = new ArrayList<>();
        HeatClasses h = spec.getHeatClasses();
        if (h == null) {
            errors.add("heatClasses is required");
        } else {
            for (var e : List.of(h.getHot(), h.getWarm(), h.getCold())) {
                if (e != null && e.getTier() != null && !tiers.contains(e.getTier())) {
                    errors.add("heat class tier " + e.getTier() + " is not a StorageTier");
                }
            }
        }
        try {
            Units.duration(spec.getEvaluationInterval(), Duration.ofMinutes(1));
            Units.duration(spec.getDecayHalfLife(), Duration.ofHours(1));
            if (spec.getMigration() != null) {
                Units.bytes(spec.getMigration().getBandwidthLimit(), 0);
                Units.duration(spec.getMigration().getCoolDown(), Duration.ZERO);
            }
        } catch (IllegalArgumentException e) {
            errors.add(e.getMessage());
        }
        return errors;
    }

    public static MirrorPolicyStatus aggregate(MirrorPolicyStatus prev, List<String> errors, List<String> volumes,
                                               String lastEvaluation, long generation, Instant now) {
        MirrorPolicyStatus s = new MirrorPolicyStatus();
        s.setVolumeCount(volumes.size());
        s.setVolumes(volumes.stream().sorted().limit(100).toList());
        s.setLastEvaluationTime(lastEvaluation != null ? lastEvaluation
                : prev == null ? null : prev.getLastEvaluationTime());
        Conditions c = new Conditions(prev == null ? null : prev.getConditions(), generation, now);
        c.set("Ready", errors.isEmpty(), errors.isEmpty() ? "Valid" : "Invalid",
                errors.isEmpty() ? "used by " + volumes.size() + " volume(s)" : String.join("; ", errors));
        s.setConditions(c.toList());
        s.setObservedGeneration(generation);
        return s;
    }
}
