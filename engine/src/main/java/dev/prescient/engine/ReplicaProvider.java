package dev.prescient.engine;

import java.io.IOException;

/**
 * Finds the local replicas a node hosts by id. The replication server uses it to serve remote
 * writes and syncs into replicas of this node.
 */
public interface ReplicaProvider {

    /** Opens the local replica {@code replicaId}; NoSuchFileException if this node has none. */
    BlockTarget openReplica(String replicaId) throws IOException;
}
