package dev.prescient.api.v1alpha1.volume;

/** Life of one replica as the operator reports it. */
public enum ReplicaState {
    Syncing, Healthy, Stale, Failed, Removing
}
