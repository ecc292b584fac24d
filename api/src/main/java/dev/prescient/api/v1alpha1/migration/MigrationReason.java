package dev.prescient.api.v1alpha1.migration;

public enum MigrationReason {
    Affinity, PredictedFailure, Tiering, Capacity, Manual
}
