package dev.prescient.engine.nbd;

import dev.prescient.engine.BlockTarget;
import dev.prescient.engine.heat.IoListener;

/**
 * One export served by the NBD server.
 *
 * @param consumer  identity of the workload using it (e.g. namespace/pod), passed to telemetry
 * @param multiConn advertise NBD_FLAG_CAN_MULTI_CONN: only true when a flush of the target covers
 *                  writes completed on every connection (true for our file and replica-set targets,
 *                  whose flush is an fsync of the whole replica)
 */
public record NbdExport(String name, String description, BlockTarget target, String consumer, boolean readOnly,
                        boolean multiConn, IoListener listener) {

    public NbdExport {
        if (name == null || name.length() > 4096) {
            throw new IllegalArgumentException("export name must be 0..4096 characters");
        }
        listener = listener == null ? IoListener.NONE : listener;
        description = description == null ? "" : description;
    }

    public static NbdExport of(String name, BlockTarget target) {
        return new NbdExport(name, "", target, null, false, true, IoListener.NONE);
    }

    public NbdExport withListener(String consumer, IoListener listener) {
        return new NbdExport(name, description, target, consumer, readOnly, multiConn, listener);
    }
}
