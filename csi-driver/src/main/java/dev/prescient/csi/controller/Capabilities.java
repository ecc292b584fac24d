package dev.prescient.csi.controller;

import csi.v1.Csi;
import dev.prescient.csi.CsiException;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Which volume capabilities the driver supports. A volume is one NBD-attached block device on
 * one node at a time, so only single-node access modes are offered; multi-node writers would
 * need a cluster file system or an application that coordinates, which we do not claim.
 * On that one node, SINGLE_NODE_MULTI_WRITER is real: the staged device (or its file system)
 * is bind-mounted to every target path, all writable. SINGLE_NODE_SINGLE_WRITER (and, per
 * the spec's second NodePublishVolume table, SINGLE_NODE_WRITER and SINGLE_NODE_READER_ONLY)
 * allow one target path at a time.
 */
public final class Capabilities {
    public static final Set<String> FS_TYPES = Set.of("ext4", "xfs");
    private static final Set<Csi.VolumeCapability.AccessMode.Mode> MODES = Set.of(
            Csi.VolumeCapability.AccessMode.Mode.SINGLE_NODE_WRITER,
            Csi.VolumeCapability.AccessMode.Mode.SINGLE_NODE_READER_ONLY,
            Csi.VolumeCapability.AccessMode.Mode.SINGLE_NODE_SINGLE_WRITER,
            Csi.VolumeCapability.AccessMode.Mode.SINGLE_NODE_MULTI_WRITER);

    /** Whether a volume with this capability may be published at several target paths of its node. */
    public static boolean manyTargets(Csi.VolumeCapability c) {
        return c.getAccessMode().getMode() == Csi.VolumeCapability.AccessMode.Mode.SINGLE_NODE_MULTI_WRITER;
    }

    private Capabilities() {
    }

    /** Throws INVALID_ARGUMENT for a malformed capability. */
    public static void requireWellFormed(List<Csi.VolumeCapability> caps) {
        if (caps.isEmpty()) {
            throw CsiException.invalid("volume_capabilities is required");
        }
        for (Csi.VolumeCapability c : caps) {
            requireWellFormed(c);
        }
    }

    public static void requireWellFormed(Csi.VolumeCapability c) {
        if (c.getAccessTypeCase() == Csi.VolumeCapability.AccessTypeCase.ACCESSTYPE_NOT_SET) {
            throw CsiException.invalid("volume_capability.access_type (block or mount) is required");
        }
        if (!c.hasAccessMode() || c.getAccessMode().getMode() == Csi.VolumeCapability.AccessMode.Mode.UNKNOWN) {
            throw CsiException.invalid("volume_capability.access_mode is required");
        }
    }

    /** A node call's one capability: present, well formed and supported, or INVALID_ARGUMENT saying what is not. */
    public static void requireSupported(boolean present, Csi.VolumeCapability c) {
        if (!present) {
            throw CsiException.invalid("volume_capability is required");
        }
        requireWellFormed(c);
        unsupported(c).ifPresent(r -> {
            throw CsiException.invalid(r);
        });
    }

    /** Empty when supported; otherwise the reason. */
    public static Optional<String> unsupported(Csi.VolumeCapability c) {
        if (!MODES.contains(c.getAccessMode().getMode())) {
            return Optional.of("access mode " + c.getAccessMode().getMode() + " is not supported");
        }
        if (c.hasMount()) {
            String fs = c.getMount().getFsType();
            if (!fs.isEmpty() && !FS_TYPES.contains(fs)) {
                return Optional.of("fsType " + fs + " is not supported (ext4, xfs)");
            }
        }
        return Optional.empty();
    }

    public static Optional<String> unsupported(List<Csi.VolumeCapability> caps) {
        return caps.stream().map(Capabilities::unsupported).flatMap(Optional::stream).findFirst();
    }
}
