package dev.prescient.api.v1alpha1.volume;

public enum HeatClassName {
    Hot, Warm, Cold
}
