package dev.prescient.api.v1alpha1.volume;

/** The engine's I/O mode of a replica: RW serves reads and writes, WO takes writes while catching up, ERR is failed. */
public enum ReplicaMode {
    RW, WO, ERR
}
