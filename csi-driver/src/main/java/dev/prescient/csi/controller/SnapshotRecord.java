package dev.prescient.csi.controller;

/** A snapshot: a point-in-time copy of the source volume's primary replica, kept on its node. */
public record SnapshotRecord(String id, String name, String sourceVolumeId, String nodeId, long sizeBytes,
        long createdMillis, boolean ready) {
}
