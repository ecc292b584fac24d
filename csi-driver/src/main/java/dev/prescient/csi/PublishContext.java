package dev.prescient.csi;

/**
 * The publish_context keys ControllerPublishVolume hands to NodeStageVolume: the one contract between the
 * controller and node packages, so neither imports the other for it.
 */
public final class PublishContext {
    private PublishContext() {
    }

    /** Where the node reaches the replica's export (nbd://host:port/name). */
    public static final String NBD_URI = "prescient.dev/nbd-uri";
    /** The node that holds the published replica. */
    public static final String REPLICA_NODE = "prescient.dev/replica-node";
    /** The published replica's id. */
    public static final String REPLICA_ID = "prescient.dev/replica-id";
}
