package dev.prescient.api.v1alpha1.policy;

public enum ReplicationMode {
    Sync, Async
}
