package dev.prescient.operator.plan;

import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When each replica last served its volume's reads, as the planner's passes saw the front-ends report it. A kept copy
 * serving reads from a remote front-end is not read through its own node's engine, so that node's heat never shows
 * the reads; seen only while it served at the moment of a pass, the copy on the returning reader's node in local mode
 * was removed as "never read for 1m35s" two seconds after the reader left it, and copied again the next half day.
 */
final class ReadServing {

    private final Map<String, Instant> lastServed = new ConcurrentHashMap<>();

    /** Records this pass's read sources (volume to the replica serving its reads). */
    void observe(Map<String, ReadPlacement.Current> readSources, Instant now) {
        for (ReadPlacement.Current c : readSources.values()) {
            if (c.readSourceReplicaId() != null && !c.readSourceReplicaId().isEmpty()) {
                lastServed.put(c.readSourceReplicaId(), now);
            }
        }
    }

    /** The later of when the replica last served reads and {@code readOnNode} (its node's own heat; may be null). */
    Instant lastRead(String replicaId, Instant readOnNode) {
        Instant served = lastServed.get(replicaId);
        if (served == null) {
            return readOnNode;
        }
        return readOnNode == null || served.isAfter(readOnNode) ? served : readOnNode;
    }

    /** Forgets replicas no agent lists any more. */
    void retain(Set<String> replicaIds) {
        lastServed.keySet().retainAll(replicaIds);
    }
}
