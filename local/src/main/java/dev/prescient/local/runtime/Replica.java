package dev.prescient.local.runtime;

import dev.prescient.local.nbd.NbdConnection;
import java.io.IOException;

/** One copy of a volume on one node and tier, reached over its NBD export. */
public final class Replica {
    /** Replica states as the ReplicatedVolume status names them. */
    public enum State { Syncing, Healthy, Stale, Failed, Removing }

    public final String node;
    public final String tier;
    public final String replicaId;
    public final String nbdUri;
    volatile State state;
    volatile boolean primary;
    NbdConnection conn;

    public Replica(String node, String tier, String replicaId, String nbdUri, State state) {
        this.node = node;
        this.tier = tier;
        this.replicaId = replicaId;
        this.nbdUri = nbdUri;
        this.state = state;
    }

    /** The replica CreateVolume made: the volume's first primary. */
    public void makeInitialPrimary() {
        primary = true;
    }

    NbdConnection conn() throws IOException {
        if (conn == null) {
            conn = NbdConnection.open(nbdUri);
        }
        return conn;
    }

    void disconnect() {
        if (conn != null) {
            try {
                conn.close();
            } catch (IOException ignored) {
                // the export may be gone already; nothing to flush on a read-only or dropped replica
            }
            conn = null;
        }
    }

    public State state() {
        return state;
    }

    public boolean primary() {
        return primary;
    }
}
