package dev.prescient.operator.status;

import dev.prescient.api.v1alpha1.node.NodeTierStatus;
import dev.prescient.api.v1alpha1.node.StorageNodeStatus;
import dev.prescient.api.v1alpha1.tier.StorageTierStatus;
import dev.prescient.api.v1alpha1.tier.TierNodeUsage;
import dev.prescient.operator.util.Units;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** StorageTier status: capacity and use of the tier per node, from the StorageNode statuses. */
public final class TierStatusAggregator {

    private TierStatusAggregator() {
    }

    /** {@code nodes}: node name to its status (null status: not reported yet). */
    public static StorageTierStatus aggregate(StorageTierStatus prev, String tier, int reservePercent,
                                              Map<String, StorageNodeStatus> nodes, List<String> specErrors,
                                              long generation, Instant now) {
        StorageTierStatus s = new StorageTierStatus();
        List<TierNodeUsage> usage = new ArrayList<>();
        long cap = 0;
        long used = 0;
        for (Map.Entry<String, StorageNodeStatus> e : nodes.entrySet()) {
            if (e.getValue() == null || e.getValue().getTiers() == null) {
                continue;
            }
            for (NodeTierStatus t : e.getValue().getTiers()) {
                if (!tier.equals(t.getTier())) {
                    continue;
                }
                long c = t.getCapacityBytes() == null ? 0 : t.getCapacityBytes();
                long u = t.getUsedBytes() == null ? 0 : t.getUsedBytes();
                TierNodeUsage n = new TierNodeUsage();
                n.setNode(e.getKey());
                n.setCapacityBytes(c);
                n.setUsedBytes(u);
                n.setAvailableBytes(Math.max(0, c - u - c * reservePercent / 100));
                n.setReplicas(t.getReplicas());
                usage.add(n);
                cap += c;
                used += u;
            }
        }
        usage.sort(Comparator.comparing(TierNodeUsage::getNode));
        s.setNodes(usage);
        s.setNodeCount(usage.size());
        s.setCapacityBytes(cap);
        s.setUsedBytes(used);
        s.setCapacity(Units.human(cap));
        s.setUsed(Units.human(used));
        Conditions c = new Conditions(prev == null ? null : prev.getConditions(), generation, now);
        if (!specErrors.isEmpty()) {
            c.set("Ready", false, "Invalid", String.join("; ", specErrors));
        } else if (usage.isEmpty()) {
            c.set("Ready", false, "NoNodes", "no node reports this tier yet");
        } else {
            c.set("Ready", true, "Available", "offered by " + usage.size() + " node(s)");
        }
        s.setConditions(c.toList());
        s.setObservedGeneration(generation);
        return s;
    }
}
