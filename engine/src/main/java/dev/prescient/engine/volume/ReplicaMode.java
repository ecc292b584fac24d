package dev.prescient.engine.volume;

/** A replica's role in its set. */
public enum ReplicaMode {
    /** In sync: takes writes, serves reads (when sync). */
    RW,
    /** Catching up: new writes only mark it dirty; it is copied in rounds, then promoted to RW. */
    WO,
    /** Failed: takes nothing; its dirty bitmap records what it misses, for a later delta catch-up. */
    ERR
}
