package dev.prescient.csi.controller;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

/** Registry held in memory: pure tests and the single-process local mode without an API server. */
public final class InMemoryVolumeRegistry implements VolumeRegistry {
    private final ConcurrentSkipListMap<String, VolumeRecord> volumes = new ConcurrentSkipListMap<>();
    private final ConcurrentSkipListMap<String, SnapshotRecord> snapshots = new ConcurrentSkipListMap<>();

    @Override
    public Optional<VolumeRecord> volume(String id) {
        return Optional.ofNullable(volumes.get(id));
    }

    @Override
    public void putVolume(VolumeRecord v) {
        volumes.put(v.id(), v);
    }

    @Override
    public void deleteVolume(String id) {
        volumes.remove(id);
    }

    @Override
    public List<VolumeRecord> volumes() {
        return new ArrayList<>(volumes.values());
    }

    @Override
    public Optional<SnapshotRecord> snapshot(String id) {
        return Optional.ofNullable(snapshots.get(id));
    }

    @Override
    public void putSnapshot(SnapshotRecord s) {
        snapshots.put(s.id(), s);
    }

    @Override
    public void deleteSnapshot(String id) {
        snapshots.remove(id);
    }

    @Override
    public List<SnapshotRecord> snapshots() {
        return new ArrayList<>(snapshots.values());
    }
}
