package dev.prescient.local.runtime;

/**
 * One copy of a volume as its node agent reports it: where it lives, its state, and the engine export that serves
 * that copy alone (used to verify it at the end of a run).
 */
public record Replica(String node, String tier, String replicaId, String nbdUri, String state) {
    public boolean healthy() {
        return state.equals("Healthy");
    }
}
