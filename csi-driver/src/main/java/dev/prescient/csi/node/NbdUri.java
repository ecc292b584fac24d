package dev.prescient.csi.node;

import dev.prescient.csi.agent.TelemetryView;

/** NBD URIs as this node attaches them. */
public final class NbdUri {
    private NbdUri() {
    }

    /**
     * The URI with the export name {@code name@node:<nodeId>}: the engine serves the same export and counts this
     * attachment's I/O as this node's, so the planner sees which node reads a volume even when the replica
     * serving it lives elsewhere. A URI that already names a consumer is kept as is; one without an export name (the
     * server's only export) gets {@code /@node:<nodeId>}, which the engine reads the same way.
     */
    public static String attachedBy(String uri, String nodeId) {
        int scheme = uri.indexOf("://");
        if (scheme < 0) {
            return uri;
        }
        int slash = uri.indexOf('/', scheme + 3);
        if (slash < 0) {
            // No export name: the server's only export, which "@consumer" alone also names.
            int query = uri.indexOf('?', scheme + 3);
            return query < 0 ? uri + "/@" + TelemetryView.NODE_CONSUMER + nodeId
                    : uri.substring(0, query) + "/@" + TelemetryView.NODE_CONSUMER + nodeId + uri.substring(query);
        }
        int query = uri.indexOf('?', slash);
        String path = query < 0 ? uri.substring(slash + 1) : uri.substring(slash + 1, query);
        if (path.contains("@")) {
            return uri;
        }
        String rest = query < 0 ? "" : uri.substring(query);
        return uri.substring(0, slash + 1) + path + "@" + TelemetryView.NODE_CONSUMER + nodeId + rest;
    }
}
