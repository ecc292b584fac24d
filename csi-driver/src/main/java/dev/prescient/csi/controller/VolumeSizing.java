package dev.prescient.csi.controller;

import dev.prescient.csi.CsiException;
import io.grpc.Status;

/** Turns a CSI capacity range into a size: whole MiB, a default when unspecified, a hard maximum. */
public final class VolumeSizing {
    public static final long MIB = 1L << 20;
    public static final long DEFAULT_SIZE = 1L << 30;

    private final long maxBytes;

    public VolumeSizing(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    public long maxBytes() {
        return maxBytes;
    }

    /** @param required 0 when unset; @param limit 0 when unset */
    public long decide(long required, long limit) {
        if (required < 0 || limit < 0) {
            throw CsiException.invalid("capacity_range bytes must not be negative");
        }
        if (limit > 0 && required > limit) {
            throw CsiException.invalid("required_bytes " + required + " exceeds limit_bytes " + limit);
        }
        if (required > maxBytes) {
            throw new CsiException(Status.Code.OUT_OF_RANGE, "CapacityTooLarge",
                    "required_bytes " + required + " exceeds the maximum volume size " + maxBytes);
        }
        long size = required == 0 ? Math.min(DEFAULT_SIZE, limit > 0 ? limit : DEFAULT_SIZE) : required;
        long rounded = ceilDiv(size, MIB) * MIB;
        if (limit > 0 && rounded > limit) {
            // The MiB granularity does not fit under the limit; fall back to 4 KiB granularity.
            rounded = ceilDiv(size, 4096) * 4096;
            if (rounded > limit) {
                throw new CsiException(Status.Code.OUT_OF_RANGE, "CapacityUnsatisfiable",
                        "no size in 4 KiB units lies in [" + required + ", " + limit + "]");
            }
        }
        if (rounded > maxBytes) {
            throw new CsiException(Status.Code.OUT_OF_RANGE, "CapacityTooLarge",
                    "size " + rounded + " exceeds the maximum volume size " + maxBytes);
        }
        return rounded;
    }

    /** Whether an existing volume of {@code size} satisfies the range (idempotent CreateVolume). */
    public static boolean satisfies(long size, long required, long limit) {
        return size >= required && (limit == 0 || size <= limit);
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
