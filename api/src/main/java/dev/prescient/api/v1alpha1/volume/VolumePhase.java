package dev.prescient.api.v1alpha1.volume;

public enum VolumePhase {
    Pending, Provisioning, Available, Degraded, Failed, Deleting
}
