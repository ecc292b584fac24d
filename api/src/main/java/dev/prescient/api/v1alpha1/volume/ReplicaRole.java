package dev.prescient.api.v1alpha1.volume;

/** Why a replica exists. */
public enum ReplicaRole {
    Primary, Mirror, PreStaged, Evacuation
}
