package dev.prescient.csi.node;

import csi.v1.Csi;
import java.util.Optional;

/**
 * The node's view of a staged volume's health (CSI VolumeCondition in NodeGetVolumeStats), from
 * what {@link NodeService} observed on the host. The first failing check names the cause.
 */
public final class NodeVolumeCondition {
    private NodeVolumeCondition() {
    }

    /**
     * @param attachmentHealthy helper process alive and loop device bound to it (or nbd device connected)
     * @param exportError the engine's NBD export not serving, if so
     * @param readError reading the device's first block failed or hung, if so (not tried when either above failed)
     * @param stagingMount for a mount volume: empty when nothing is mounted at the staging path,
     *        else whether that mount is read-only; ignored for block volumes
     */
    public record Observed(boolean attachmentHealthy, Optional<String> exportError, Optional<String> readError,
            boolean block, Optional<Boolean> stagingMount) {
    }

    public static Csi.VolumeCondition of(Observed o) {
        // The export first: when the engine is gone, that is the cause of whatever else broke.
        if (o.exportError().isPresent()) {
            return abnormal("engine export down: " + o.exportError().get());
        }
        if (!o.attachmentHealthy()) {
            return abnormal("device attachment broken: the nbdfuse helper is gone or the loop device is detached"
                    + " (re-stage the volume)");
        }
        if (o.readError().isPresent()) {
            return abnormal("device unhealthy: " + o.readError().get());
        }
        if (!o.block()) {
            if (o.stagingMount().isEmpty()) {
                return abnormal("file system not mounted at the staging path");
            }
            if (o.stagingMount().get()) {
                // Staged read-write: a read-only mount now means the kernel remounted it after errors.
                return abnormal("file system is mounted read-only at the staging path (remounted after I/O errors?)");
            }
        }
        return Csi.VolumeCondition.newBuilder().setAbnormal(false).setMessage("attached, export serving, device readable")
                .build();
    }

    private static Csi.VolumeCondition abnormal(String message) {
        return Csi.VolumeCondition.newBuilder().setAbnormal(true).setMessage(message).build();
    }
}
