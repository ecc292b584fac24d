package dev.prescient.csi.controller;

import csi.v1.Csi;
import dev.prescient.api.nodeagent.v1.Replica;
import dev.prescient.api.nodeagent.v1.ReplicaState;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The controller's view of a volume's health (CSI VolumeCondition): the node holding its primary
 * replica must be known and its agent reachable, the replica present and healthy, and its NBD
 * export serving. Pure apart from the probe it is given.
 */
public final class VolumeConditions {
    private VolumeConditions() {
    }

    /**
     * What the controller learned about the node holding the primary replica.
     *
     * @param known whether the node is in the agent directory (StorageNode or --node-agents)
     * @param agentError the agent call's failure, if it failed
     * @param replicas the node's replicas of this volume when the call succeeded
     */
    public record NodeView(boolean known, Optional<String> agentError, List<Replica> replicas) {
        public static NodeView unknown() {
            return new NodeView(false, Optional.empty(), List.of());
        }

        public static NodeView failed(String error) {
            return new NodeView(true, Optional.of(error), List.of());
        }

        public static NodeView of(List<Replica> replicas) {
            return new NodeView(true, Optional.empty(), replicas);
        }
    }

    /** @param probe NBD URI -> empty when serving, else why not; not called when an earlier check fails */
    public static Csi.VolumeCondition of(VolumeRecord v, NodeView node, Function<String, Optional<String>> probe) {
        if (!v.phase().equals("Ready")) {
            return abnormal("volume is " + v.phase() + ": its first replica was not completed");
        }
        if (!node.known()) {
            return abnormal("node " + v.nodeId() + " holding replica " + v.primaryReplicaId() + " is not known"
                    + " (no StorageNode with an agentEndpoint)");
        }
        if (node.agentError().isPresent()) {
            return abnormal("node agent of " + v.nodeId() + " unreachable: " + node.agentError().get());
        }
        Optional<Replica> r = node.replicas().stream().filter(x -> x.getReplicaId().equals(v.primaryReplicaId()))
                .findFirst();
        if (r.isEmpty()) {
            return abnormal("replica " + v.primaryReplicaId() + " missing on node " + v.nodeId());
        }
        ReplicaState state = r.get().getState();
        if (state != ReplicaState.REPLICA_STATE_HEALTHY) {
            return abnormal("replica " + v.primaryReplicaId() + " on node " + v.nodeId() + " is "
                    + state.name().substring("REPLICA_STATE_".length()));
        }
        if (r.get().getNbdEndpoint().isEmpty()) {
            return abnormal("replica " + v.primaryReplicaId() + " on node " + v.nodeId() + " is not exported");
        }
        Optional<String> down = probe.apply(r.get().getNbdEndpoint());
        if (down.isPresent()) {
            return abnormal(down.get());
        }
        return Csi.VolumeCondition.newBuilder().setAbnormal(false)
                .setMessage("replica " + v.primaryReplicaId() + " healthy on node " + v.nodeId() + ", export serving")
                .build();
    }

    static Csi.VolumeCondition abnormal(String message) {
        return Csi.VolumeCondition.newBuilder().setAbnormal(true).setMessage(message).build();
    }
}
