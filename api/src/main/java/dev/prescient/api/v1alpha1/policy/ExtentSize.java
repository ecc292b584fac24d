package dev.prescient.api.v1alpha1.policy;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Extent sizes: powers of two from 64 KiB to 1 GiB. */
public enum ExtentSize {
    @JsonProperty("64Ki") KIB_64(64L << 10),
    @JsonProperty("256Ki") KIB_256(256L << 10),
    @JsonProperty("1Mi") MIB_1(1L << 20),
    @JsonProperty("4Mi") MIB_4(4L << 20),
    @JsonProperty("16Mi") MIB_16(16L << 20),
    @JsonProperty("64Mi") MIB_64(64L << 20),
    @JsonProperty("256Mi") MIB_256(256L << 20),
    @JsonProperty("1Gi") GIB_1(1L << 30);

    private final long bytes;

    ExtentSize(long bytes) {
        this.bytes = bytes;
    }

    public long bytes() {
        return bytes;
    }
}
