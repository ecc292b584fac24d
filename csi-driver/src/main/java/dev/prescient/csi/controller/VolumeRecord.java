package dev.prescient.csi.controller;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the controller remembers about a volume (backed by a ReplicatedVolume resource).
 *
 * @param sourceKind "", "snapshot" or "volume"
 * @param phase "Pending" until the first replica exists, then "Ready"
 * @param publishedNodes nodes the volume is ControllerPublished to
 */
public record VolumeRecord(String id, String name, long sizeBytes, Map<String, String> parameters,
        String sourceKind, String sourceId, String nodeId, String zone, String tier, int replicas,
        String mirrorPolicy, String phase, Set<String> publishedNodes, Set<String> readonlyNodes) {

    public VolumeRecord {
        parameters = Map.copyOf(new TreeMap<>(parameters));
        publishedNodes = Set.copyOf(new TreeSet<>(publishedNodes));
        readonlyNodes = Set.copyOf(new TreeSet<>(readonlyNodes));
    }

    public String primaryReplicaId() {
        return id + "-r0";
    }

    public VolumeRecord withPhase(String p) {
        return new VolumeRecord(id, name, sizeBytes, parameters, sourceKind, sourceId, nodeId, zone, tier,
                replicas, mirrorPolicy, p, publishedNodes, readonlyNodes);
    }

    public VolumeRecord withSize(long size) {
        return new VolumeRecord(id, name, size, parameters, sourceKind, sourceId, nodeId, zone, tier,
                replicas, mirrorPolicy, phase, publishedNodes, readonlyNodes);
    }

    public VolumeRecord withPublished(Set<String> nodes, Set<String> readonly) {
        return new VolumeRecord(id, name, sizeBytes, parameters, sourceKind, sourceId, nodeId, zone, tier,
                replicas, mirrorPolicy, phase, nodes, readonly);
    }
}
