package dev.prescient.operator.agent;

import dev.prescient.api.nodeagent.v1.ListReplicasRequest;
import dev.prescient.api.nodeagent.v1.Replica;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Every agent's replica list from one sweep (one ListReplicas per node, not per volume), shared by the planner
 * (which publishes the lists it pulled in its pass) and the ReplicatedVolume reconciler (which reads them). A
 * snapshot older than the allowed age is swept again, once, however many reconciles ask at the same time.
 *
 * <p>Publishing never waits for a sweep: at 10,000 volumes the reconciles' own sweep (100 agents one after the other)
 * held the lock publish also took for seconds at a time, and the planner pass stood behind it (issue 19).
 */
public final class ReplicaInventory {

    /** Replicas by volume as the agents reported them, and the nodes whose agent did not answer. */
    public record Snapshot(Instant takenAt, Map<String, List<Replica>> byVolume, List<String> unreachable) {

        public List<Replica> replicas(String volume) {
            return byVolume.getOrDefault(volume, List.of());
        }

        public static Snapshot of(Instant at, Map<String, List<Replica>> byNode, List<String> unreachable) {
            Map<String, List<Replica>> byVolume = new HashMap<>();
            byNode.forEach((node, rs) -> {
                for (Replica r : rs) {
                    // Agents fill node_id; older ones may not, and the node is known here.
                    Replica x = r.getNodeId().isEmpty() ? r.toBuilder().setNodeId(node).build() : r;
                    byVolume.computeIfAbsent(r.getVolumeId(), k -> new ArrayList<>()).add(x);
                }
            });
            byVolume.replaceAll((k, v) -> List.copyOf(v));
            return new Snapshot(at, Map.copyOf(byVolume), List.copyOf(unreachable));
        }
    }

    private final NodeAgents agents;
    private final Clock clock;
    private final AtomicReference<Snapshot> current = new AtomicReference<>();
    /** Held only while sweeping, so that concurrent reconciles make one sweep between them. */
    private final ReentrantLock sweeping = new ReentrantLock();
    private long sweeps;

    public ReplicaInventory(NodeAgents agents, Clock clock) {
        this.agents = agents;
        this.clock = clock;
    }

    /** Makes a snapshot taken elsewhere (the planner's pass) the current one, unless a newer one is there. */
    public void publish(Snapshot s) {
        current.accumulateAndGet(s, (old, next) -> old == null || !next.takenAt().isBefore(old.takenAt()) ? next : old);
    }

    /**
     * The current snapshot if younger than {@code maxAge}; otherwise one new sweep over {@code nodes}. While another
     * caller sweeps, the older snapshot is returned rather than waited behind: at 10,000 volumes fifty reconciles
     * stood in line behind one serial sweep of 100 agents, holding every reconcile thread the planner pass needed.
     * Only with no snapshot at all does a caller wait for the sweep.
     */
    public Snapshot current(Supplier<List<String>> nodes, Duration maxAge) {
        Snapshot s = fresh(maxAge);
        if (s != null) {
            return s;
        }
        Snapshot older = current.get();
        if (older != null && !sweeping.tryLock()) {
            return older;
        }
        if (older == null) {
            sweeping.lock();
        }
        try {
            s = fresh(maxAge); // swept by the reconcile this one waited for, or published meanwhile
            if (s != null) {
                return s;
            }
            Instant now = clock.instant();
            Map<String, List<Replica>> byNode = new HashMap<>();
            List<String> unreachable = new ArrayList<>();
            for (String node : nodes.get()) {
                try {
                    byNode.put(node, agents.forNode(node).listReplicas(ListReplicasRequest.getDefaultInstance())
                            .getReplicasList());
                } catch (NodeAgentException e) {
                    unreachable.add(node);
                }
            }
            sweeps++;
            publish(Snapshot.of(now, byNode, unreachable));
            return current.get();
        } finally {
            sweeping.unlock();
        }
    }

    private Snapshot fresh(Duration maxAge) {
        Snapshot s = current.get();
        return s != null && s.takenAt().plus(maxAge).isAfter(clock.instant()) ? s : null;
    }

    /** How many sweeps this inventory made itself (the planner's published ones not counted). */
    public long sweeps() {
        sweeping.lock();
        try {
            return sweeps;
        } finally {
            sweeping.unlock();
        }
    }
}
