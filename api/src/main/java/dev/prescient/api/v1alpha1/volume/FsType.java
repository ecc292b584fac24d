package dev.prescient.api.v1alpha1.volume;

public enum FsType {
    ext4, xfs
}
