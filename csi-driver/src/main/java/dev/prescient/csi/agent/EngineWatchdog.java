package dev.prescient.csi.agent;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Decides, from what one look at an engine saw, whether it needs bringing back. A pid that is
 * alive proves nothing (an engine stuck in a full direct-memory pool or a stopped process still has
 * one); only an NBD handshake that completes does. One failed handshake is not enough to kill an
 * engine that clients use (a long GC pause, a loaded machine): it must fail {@code failuresToKill}
 * looks in a row. A dead engine is restarted at once.
 */
public final class EngineWatchdog {
    public enum Action { NONE, RESTART_DEAD, KILL_WEDGED }

    private final int failuresToKill;
    private final Map<String, Integer> failures = new HashMap<>();

    public EngineWatchdog(int failuresToKill) {
        if (failuresToKill < 1) {
            throw new IllegalArgumentException("failuresToKill must be at least 1, got " + failuresToKill);
        }
        this.failuresToKill = failuresToKill;
    }

    /**
     * @param alive   an engine process for the replica exists
     * @param serving it completed an NBD handshake just now (ignored when not alive)
     */
    public Action observe(String replicaId, boolean alive, boolean serving) {
        if (!alive) {
            failures.remove(replicaId);
            return Action.RESTART_DEAD;
        }
        if (serving) {
            failures.remove(replicaId);
            return Action.NONE;
        }
        int n = failures.merge(replicaId, 1, Integer::sum);
        if (n >= failuresToKill) {
            failures.remove(replicaId);
            return Action.KILL_WEDGED;
        }
        return Action.NONE;
    }

    /** Forgets replicas no longer watched, so a later replica of the same id starts with a clean count. */
    public void retainOnly(Set<String> replicaIds) {
        failures.keySet().retainAll(replicaIds);
    }

    int failures(String replicaId) {
        return failures.getOrDefault(replicaId, 0);
    }
}
