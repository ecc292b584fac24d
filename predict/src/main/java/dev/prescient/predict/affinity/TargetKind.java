package dev.prescient.predict.affinity;

/** What a subject (volume or extent) has affinity to. */
public enum TargetKind {
    NODE,
    APPLICATION
}
