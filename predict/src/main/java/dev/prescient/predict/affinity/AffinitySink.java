package dev.prescient.predict.affinity;

/** Receives the scores of one subject, one call per target. */
@FunctionalInterface
public interface AffinitySink {
    void accept(TargetKind kind, int target, double score);
}
