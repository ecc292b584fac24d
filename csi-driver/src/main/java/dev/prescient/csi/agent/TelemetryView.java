package dev.prescient.csi.agent;

import dev.prescient.api.nodeagent.v1.ConsumerHeat;
import dev.prescient.api.nodeagent.v1.ExtentHeat;
import dev.prescient.api.nodeagent.v1.VolumeTelemetry;
import dev.prescient.engine.heat.HeatSnapshot;
import java.util.Collection;
import java.util.Optional;

/** Turns an engine heat snapshot and the volume's known consumers into the node agent's telemetry. */
public final class TelemetryView {
    /** Prefix of the consumer identity a node gives its attachment ("node:" + node id). */
    public static final String NODE_CONSUMER = "node:";
    private TelemetryView() {
    }

    /**
     * Extents below {@code minHeat} (read + write) are left out. Consumer heat: the engine sees one
     * NBD client per volume (the node's attachment), so per-pod heat exists only when one pod uses
     * the volume; then that pod gets the volume's totals. With several pods sharing the mount the
     * split is unknown and the consumers are listed without heat rather than with invented shares.
     */
    public static VolumeTelemetry volume(String volumeId, Optional<HeatSnapshot> heat, Collection<String> consumers,
            double minHeat) {
        var v = VolumeTelemetry.newBuilder().setVolumeId(volumeId);
        double read = 0;
        double write = 0;
        if (heat.isPresent()) {
            HeatSnapshot h = heat.get();
            v.setExtentSizeBytes(h.extentSize());
            for (int i = 0; i < h.extents().length; i++) {
                read += h.readHeat()[i];
                write += h.writeHeat()[i];
                if (h.readHeat()[i] + h.writeHeat()[i] >= minHeat) {
                    v.addExtents(ExtentHeat.newBuilder().setExtentIndex(h.extents()[i]).setReadHeat(h.readHeat()[i])
                            .setWriteHeat(h.writeHeat()[i])); // last access: not tracked by the engine, left 0
                }
            }
        }
        // Connections that said who they are (export name "replica@node:X", see the engine's NbdServer) carry
        // their own heat: that is how the planner learns which node reads a volume served elsewhere.
        if (heat.isPresent()) {
            heat.get().consumers().entrySet().stream().filter(e -> e.getKey().startsWith(NODE_CONSUMER))
                    .sorted(java.util.Map.Entry.comparingByKey())
                    .forEach(e -> v.addConsumers(ConsumerHeat.newBuilder().setConsumer(e.getKey())
                            .setReadHeat(e.getValue().reads()).setWriteHeat(e.getValue().writes())));
        }
        boolean attributable = consumers.size() == 1;
        for (String c : consumers.stream().sorted().toList()) {
            var ch = ConsumerHeat.newBuilder().setConsumer(c);
            if (attributable) {
                ch.setReadHeat(read).setWriteHeat(write);
            }
            v.addConsumers(ch);
        }
        return v.build();
    }
}
