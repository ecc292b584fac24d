package dev.prescient.api.v1alpha1.tier;

/** Kinds of media a tier can be made of. */
public enum Media {
    PMem, NVMe, SSD, HDD
}
