package dev.prescient.operator.plan;

import java.util.Map;

/**
 * Operator-wide caps on data movement, from Quarkus config ({@code prescient.limits.*}), on top of each policy's
 * own limits: the tighter of the two applies. Policies are planned one at a time, but the in-flight migrations
 * the planner counts are those of every policy (and the hand-made ones), so these caps hold across policies.
 * Zero means no cap. A node may have its own caps (a slow link, a busy node) that replace the per-node defaults.
 */
public record OperatorLimits(int maxConcurrentCluster, long clusterBandwidth, int maxConcurrentPerNode,
                             long nodeBandwidth, Map<String, NodeLimit> nodes) {

    /** One node's caps; null fields fall back to the per-node defaults. */
    public record NodeLimit(Integer maxConcurrent, Long bandwidth) {
    }

    public OperatorLimits {
        if (maxConcurrentCluster < 0 || clusterBandwidth < 0 || maxConcurrentPerNode < 0 || nodeBandwidth < 0) {
            throw new IllegalArgumentException("limits must be >= 0 (0 = no cap)");
        }
        nodes = Map.copyOf(nodes);
    }

    /** No operator-wide caps: only the policies' limits apply. */
    public static OperatorLimits none() {
        return new OperatorLimits(0, 0, 0, 0, Map.of());
    }

    /** Only a cluster-wide bandwidth cap (the shape older callers used). */
    public static OperatorLimits clusterBandwidth(long bytesPerSecond) {
        return new OperatorLimits(0, bytesPerSecond, 0, 0, Map.of());
    }

    public int concurrencyFor(String node) {
        NodeLimit l = nodes.get(node);
        return l != null && l.maxConcurrent() != null ? l.maxConcurrent() : maxConcurrentPerNode;
    }

    public long bandwidthFor(String node) {
        NodeLimit l = nodes.get(node);
        return l != null && l.bandwidth() != null ? l.bandwidth() : nodeBandwidth;
    }

    /** The tighter of two caps where 0 means none. */
    static long tighter(long a, long b) {
        return a <= 0 ? b : b <= 0 ? a : Math.min(a, b);
    }

    /**
     * Per-node caps from config: {@code node=concurrency:bandwidth} entries separated by commas, either side
     * optional ({@code node-a=2:100Mi, node-b=:50Mi, node-c=1}). Empty or blank: none.
     */
    public static Map<String, NodeLimit> parseNodes(String text) {
        Map<String, NodeLimit> out = new java.util.TreeMap<>();
        if (text == null || text.isBlank()) {
            return out;
        }
        for (String entry : text.split(",")) {
            String e = entry.strip();
            if (e.isEmpty()) {
                continue;
            }
            int eq = e.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("per-node limit '" + e + "': expected node=concurrency:bandwidth");
            }
            String node = e.substring(0, eq).strip();
            String[] parts = e.substring(eq + 1).split(":", -1);
            if (parts.length > 2) {
                throw new IllegalArgumentException("per-node limit '" + e + "': expected node=concurrency:bandwidth");
            }
            Integer conc = null;
            Long bw = null;
            try {
                if (!parts[0].isBlank()) {
                    conc = Integer.parseInt(parts[0].strip());
                }
            } catch (NumberFormatException x) {
                throw new IllegalArgumentException("per-node limit '" + e + "': concurrency '" + parts[0]
                        + "' is not a whole number");
            }
            if (parts.length == 2 && !parts[1].isBlank()) {
                try {
                    bw = dev.prescient.operator.util.Units.bytes(parts[1].strip(), 0);
                } catch (IllegalArgumentException x) {
                    throw new IllegalArgumentException("per-node limit '" + e + "': bandwidth '" + parts[1]
                            + "' is not a quantity (e.g. 100Mi)");
                }
            }
            if ((conc != null && conc < 0) || out.put(node, new NodeLimit(conc, bw)) != null) {
                throw new IllegalArgumentException("per-node limit '" + e + "': negative, or node given twice");
            }
        }
        return out;
    }
}
