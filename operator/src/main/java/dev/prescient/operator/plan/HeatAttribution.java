package dev.prescient.operator.plan;

import dev.prescient.api.nodeagent.v1.ConsumerHeat;
import dev.prescient.api.nodeagent.v1.ExtentHeat;
import dev.prescient.api.nodeagent.v1.VolumeTelemetry;
import java.util.HashMap;
import java.util.Map;

/**
 * Which nodes a volume's accesses come from, from one agent's telemetry. An engine serves every node that attached
 * the volume; an attachment that named its node (consumer {@code node:<id>}) carries its own heat, which counts for
 * that node. Heat no attachment claimed counts for the node whose agent reported it (its engine served it).
 */
public final class HeatAttribution {
    /** Consumer identity prefix of a node's attachment (as the csi-driver's node plugin sends it). */
    public static final String NODE_CONSUMER = "node:";

    private HeatAttribution() {
    }

    public static Map<String, Double> byNode(String reportingNode, VolumeTelemetry vt) {
        double total = 0;
        for (ExtentHeat x : vt.getExtentsList()) {
            total += x.getReadHeat() + x.getWriteHeat();
        }
        Map<String, Double> out = new HashMap<>();
        double claimed = 0;
        double podMax = 0;
        for (ConsumerHeat c : vt.getConsumersList()) {
            double h = c.getReadHeat() + c.getWriteHeat();
            if (c.getConsumer().startsWith(NODE_CONSUMER)) {
                out.merge(c.getConsumer().substring(NODE_CONSUMER.length()), h, Double::sum);
                claimed += h;
            } else {
                podMax = Math.max(podMax, h);
            }
        }
        // Extents can be filtered by min_heat, pods report the volume's totals: take the larger as the whole.
        double unclaimed = Math.max(total, podMax) - claimed;
        if (unclaimed > 1e-9 || out.isEmpty()) {
            out.merge(reportingNode, Math.max(0, unclaimed), Double::sum);
        }
        return out;
    }
}
