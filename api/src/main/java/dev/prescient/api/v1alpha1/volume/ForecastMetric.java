package dev.prescient.api.v1alpha1.volume;

public enum ForecastMetric {
    AccessRate, ReadBytes, WriteBytes, UsedBytes, WorkingSet
}
