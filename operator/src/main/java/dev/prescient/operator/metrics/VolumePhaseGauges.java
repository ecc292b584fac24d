package dev.prescient.operator.metrics;

import dev.prescient.api.v1alpha1.volume.ReplicatedVolume;
import dev.prescient.api.v1alpha1.volume.VolumePhase;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.Collection;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code prescient_volumes{phase}}: how many ReplicatedVolumes are in each phase, counted from the informer cache at
 * scrape time. One series per phase rather than a gauge per volume, so that 10,000 volumes cost six series; the
 * chart's PrescientVolumesDegraded alert reads it. A volume whose status has no phase yet counts as Pending.
 */
public final class VolumePhaseGauges {

    private VolumePhaseGauges() {
    }

    public static void register(MeterRegistry registry, Supplier<? extends Collection<ReplicatedVolume>> volumes) {
        for (VolumePhase phase : VolumePhase.values()) {
            Gauge.builder("prescient.volumes", () -> count(volumes.get()).get(phase))
                    .tag("phase", phase.name()).description("ReplicatedVolumes by phase").register(registry);
        }
    }

    static Map<VolumePhase, Integer> count(Collection<ReplicatedVolume> volumes) {
        Map<VolumePhase, Integer> counts = new EnumMap<>(VolumePhase.class);
        for (VolumePhase p : VolumePhase.values()) {
            counts.put(p, 0);
        }
        for (ReplicatedVolume v : volumes) {
            VolumePhase p = v.getStatus() == null || v.getStatus().getPhase() == null
                    ? VolumePhase.Pending : v.getStatus().getPhase();
            counts.merge(p, 1, Integer::sum);
        }
        return counts;
    }
}
