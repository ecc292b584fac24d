package dev.prescient.operator.observe;

import dev.prescient.api.nodeagent.v1.Replica;
import dev.prescient.api.v1alpha1.migration.VolumeMigration;
import dev.prescient.api.v1alpha1.node.StorageNode;
import dev.prescient.api.v1alpha1.volume.ReplicatedVolume;
import dev.prescient.operator.agent.ReplicaInventory;
import dev.prescient.operator.observe.TelemetrySweep.NodeData;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The observe side of a planner pass: the resources from the shared informer caches ({@link ClusterReads}, no list
 * per pass) and one {@link TelemetrySweep} of every node's agent, however many policies the pass plans. The replica
 * lists it pulled go to {@link ReplicaInventory} for the volumes' status, the health reports to node health (through
 * the sweep's NodeReports).
 */
public final class Observer {

    /** What a pass saw: every StorageNode, ReplicatedVolume and VolumeMigration, and what each agent said. */
    public record Observation(Instant at, List<StorageNode> nodes, List<ReplicatedVolume> volumes,
                              List<VolumeMigration> migrations, Map<String, NodeData> data,
                              List<String> unreachable) {

        /** The volumes of one policy. */
        public List<ReplicatedVolume> volumesOf(String policy) {
            return volumes.stream().filter(v -> v.getSpec() != null && policy.equals(v.getSpec().getPolicy()))
                    .toList();
        }

        /** Every volume by name. */
        public Map<String, ReplicatedVolume> byName() {
            Map<String, ReplicatedVolume> out = new HashMap<>();
            volumes.forEach(v -> out.put(v.getMetadata().getName(), v));
            return out;
        }
    }

    private final ClusterReads reads;
    private final TelemetrySweep sweep;
    private final ReplicaInventory inventory;

    public Observer(ClusterReads reads, TelemetrySweep sweep, ReplicaInventory inventory) {
        this.reads = reads;
        this.sweep = sweep;
        this.inventory = inventory;
    }

    public ReplicaInventory inventory() {
        return inventory;
    }

    public Observation observe(Instant now) {
        List<StorageNode> nodes = reads.list(StorageNode.class);
        List<ReplicatedVolume> volumes = reads.list(ReplicatedVolume.class);
        List<VolumeMigration> migrations = reads.list(VolumeMigration.class);
        TelemetrySweep.Pulled pulled = sweep.pull(nodes.stream().map(n -> n.getMetadata().getName()).toList());
        Map<String, List<Replica>> byNode = new HashMap<>();
        pulled.data().forEach((k, d) -> byNode.put(k, d.replicas()));
        inventory.publish(ReplicaInventory.Snapshot.of(now, byNode, pulled.unreachable()));
        return new Observation(now, nodes, volumes, migrations, pulled.data(), pulled.unreachable());
    }
}
