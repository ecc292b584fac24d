package dev.prescient.csi.controller;

import java.util.List;
import java.util.Optional;

/**
 * Where the controller keeps volumes and snapshots. Backed by the Kubernetes API in production
 * ({@link KubeVolumeRegistry}); {@link InMemoryVolumeRegistry} for pure tests. Implementations
 * return lists sorted by id so pagination tokens stay stable.
 */
public interface VolumeRegistry {
    Optional<VolumeRecord> volume(String id);

    void putVolume(VolumeRecord v);

    void deleteVolume(String id);

    List<VolumeRecord> volumes();

    Optional<SnapshotRecord> snapshot(String id);

    void putSnapshot(SnapshotRecord s);

    void deleteSnapshot(String id);

    List<SnapshotRecord> snapshots();

    /** Empty when the registry can serve; otherwise why not (for Probe). */
    default Optional<String> notReadyReason() {
        return Optional.empty();
    }
}
