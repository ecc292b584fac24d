package dev.prescient.csi.controller;

import dev.prescient.api.nodeagent.v1.Replica;
import dev.prescient.api.nodeagent.v1.ReplicaState;
import dev.prescient.csi.CsiException;
import io.grpc.Status;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Which replica a consumer of a volume attaches to (ControllerPublishVolume): the one the volume was created with,
 * or, once a move (retier, migration) replaced it, the volume's one healthy replica on its node, else its one
 * healthy replica anywhere. The volume record keeps the creation's replica; the operator moves replicas without
 * telling the controller.
 */
final class PrimaryReplica {
    private PrimaryReplica() {
    }

    /**
     * @param onNode     the volume's replicas on the record's node
     * @param everywhere the volume's replicas on every node; asked only when the node has no healthy one
     */
    static Replica choose(VolumeRecord v, List<Replica> onNode, Supplier<List<Replica>> everywhere) {
        Optional<Replica> created = onNode.stream().filter(r -> r.getReplicaId().equals(v.primaryReplicaId()))
                .findFirst();
        if (created.isPresent()) {
            return created.get();
        }
        List<Replica> candidates = healthy(onNode);
        if (candidates.isEmpty()) {
            candidates = healthy(everywhere.get());
        }
        if (candidates.size() == 1) {
            return candidates.get(0);
        }
        throw new CsiException(Status.Code.FAILED_PRECONDITION, candidates.isEmpty() ? "ReplicaMissing"
                : "ReplicaAmbiguous", "volume " + v.id() + ": replica " + v.primaryReplicaId() + " is gone from node "
                + v.nodeId() + " and " + (candidates.isEmpty() ? "no healthy replica of the volume is left"
                : "several healthy replicas could take its place: " + candidates.stream()
                .map(r -> r.getReplicaId() + "@" + r.getNodeId()).toList()));
    }

    private static List<Replica> healthy(List<Replica> replicas) {
        return replicas.stream().filter(r -> r.getState() == ReplicaState.REPLICA_STATE_HEALTHY).toList();
    }
}
