package dev.prescient.api.v1alpha1.policy;

public enum Compression {
    None, LZ4, Zstd
}
