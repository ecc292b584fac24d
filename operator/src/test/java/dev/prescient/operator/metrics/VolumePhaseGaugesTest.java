package dev.prescient.operator.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescient.api.v1alpha1.volume.ReplicatedVolume;
import dev.prescient.api.v1alpha1.volume.ReplicatedVolumeStatus;
import dev.prescient.api.v1alpha1.volume.VolumePhase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class VolumePhaseGaugesTest {

    static ReplicatedVolume volume(VolumePhase phase) {
        ReplicatedVolume v = new ReplicatedVolume();
        if (phase != null) {
            ReplicatedVolumeStatus s = new ReplicatedVolumeStatus();
            s.setPhase(phase);
            v.setStatus(s);
        }
        return v;
    }

    @Test
    void countsTheCacheAtEveryScrape() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        List<ReplicatedVolume> cache = new ArrayList<>(List.of(volume(VolumePhase.Available),
                volume(VolumePhase.Degraded), volume(VolumePhase.Available), volume(null)));
        VolumePhaseGauges.register(registry, () -> cache);

        assertThat(registry.get("prescient.volumes").tag("phase", "Available").gauge().value()).isEqualTo(2.0);
        assertThat(registry.get("prescient.volumes").tag("phase", "Degraded").gauge().value()).isEqualTo(1.0);
        assertThat(registry.get("prescient.volumes").tag("phase", "Pending").gauge().value())
                .as("no status yet").isEqualTo(1.0);
        assertThat(registry.get("prescient.volumes").gauges()).as("one series per phase").hasSize(VolumePhase.values().length);

        cache.set(1, volume(VolumePhase.Available));
        assertThat(registry.get("prescient.volumes").tag("phase", "Degraded").gauge().value()).isZero();
        assertThat(registry.get("prescient.volumes").tag("phase", "Available").gauge().value()).isEqualTo(3.0);
    }
}
