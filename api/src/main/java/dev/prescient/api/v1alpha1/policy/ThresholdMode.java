package dev.prescient.api.v1alpha1.policy;

public enum ThresholdMode {
    Static, Adaptive
}
