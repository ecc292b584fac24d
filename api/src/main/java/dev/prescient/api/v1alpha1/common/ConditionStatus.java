package dev.prescient.api.v1alpha1.common;

/** Condition status values from the Kubernetes API conventions. */
public enum ConditionStatus {
    True, False, Unknown
}
