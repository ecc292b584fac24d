package dev.prescient.csi.node;

import dev.prescient.csi.CsiException;
import dev.prescient.csi.agent.TelemetryView;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** NBD URIs as this node attaches them. */
public final class NbdUri {
    /**
     * The one form our engines serve and both attach paths handle: {@code nbd://HOST:PORT[/EXPORT]}.
     * No query: libnbd reads files named there (tls-certificates, tls-psk-file), and no other scheme
     * (file://, nbd+unix://, nbds://), which nothing here serves.
     */
    private static final Pattern SUPPORTED = Pattern.compile(
            "nbd://([A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\\[[0-9A-Fa-f:.]+\\]):([0-9]{1,5})(?:/[A-Za-z0-9._~@:+-]*)?");

    private NbdUri() {
    }

    /** The URI, or INVALID_ARGUMENT naming {@code field} and the form that is accepted. */
    public static String requireSupported(String field, String uri) {
        Matcher m = SUPPORTED.matcher(uri);
        int port = m.matches() ? Integer.parseInt(m.group(2)) : 0;
        if (port < 1 || port > 65535) {
            String shown = uri.length() > 200 ? uri.substring(0, 200) + "..." : uri;
            throw CsiException.invalid(field + " '" + shown + "' is not an NBD URI this node attaches:"
                    + " expected nbd://HOST:PORT or nbd://HOST:PORT/EXPORT");
        }
        return uri;
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
