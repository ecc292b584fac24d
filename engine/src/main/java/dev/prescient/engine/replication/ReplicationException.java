package dev.prescient.engine.replication;

import java.io.IOException;

/** A failure of the replication transport, with a reason the replica set can act on. */
public class ReplicationException extends IOException {

    public enum Reason {
        /** The peer sent something that is not our protocol; the connection is closed. */
        PROTOCOL,
        /** A payload failed its CRC32C more often than the retry budget allows. */
        CHECKSUM,
        /** No answer within the configured timeout; the connection is closed. */
        TIMEOUT,
        /** The connection is closed or broke; reconnect to resume. */
        CONNECTION_LOST,
        /** The remote node has no replica with this id. */
        NO_SUCH_REPLICA,
        /** The remote replica failed the I/O. */
        REMOTE_IO
    }

    private final Reason reason;

    public ReplicationException(Reason reason, String message) {
        super(reason + ": " + message);
        this.reason = reason;
    }

    public ReplicationException(Reason reason, String message, Throwable cause) {
        super(reason + ": " + message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
