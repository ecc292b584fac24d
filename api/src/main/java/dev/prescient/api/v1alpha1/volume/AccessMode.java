package dev.prescient.api.v1alpha1.volume;

/** The CSI access modes Prescient supports. */
public enum AccessMode {
    SingleNodeWriter, SingleNodeReaderOnly, MultiNodeReaderOnly, MultiNodeMultiWriter
}
