package dev.prescient.csi.agent;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * How this node's NBD clients (nbdfuse, nbd-client, nbdcopy) reach an export named by its
 * cluster-wide URI {@code nbd://HOST:PORT[/EXPORT]}:
 * <ul>
 * <li>an export of this node: its engine's UNIX socket, which only root on this node can open;
 * <li>another node's export, when the node has TLS material: over TLS with the node's client
 *     certificate, the server verified against the CA and the name every node certificate carries
 *     ({@value #SERVER_NAME}). The kernel's nbd-client does that itself; libnbd 1.14 (Debian 12)
 *     checks the URI's host, an IP no certificate names, so nbdfuse runs the engine's
 *     {@code NbdTlsRelay} on its stdin and stdout, and nbdcopy reaches it through {@link TlsExportProxy};
 * <li>otherwise (tests, local mode without TLS) the URI as it is.
 * </ul>
 * The engines refuse plain TCP clients when they have TLS material, so only nodes holding a
 * certificate of the cluster's CA reach a volume over the network.
 */
public final class NbdTransport {
    public static final String SERVER_NAME = "prescient-node-agent";
    static final String RELAY = "dev.prescient.engine.nbd.NbdTlsRelay";
    /** The relay moves bytes: a small heap and a quick start (NbdTlsRelay's measured settings). */
    static final List<String> RELAY_JVM = List.of("-Xmx32m", "-Xss512k", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-XX:-UsePerfData", "-Xshare:auto");

    /** The node's certificate, key and CA (PEM). */
    public record Tls(Path cert, Path key, Path ca) {
    }

    /** Where a URI's export is served. */
    public record Target(String host, int port, String export) {
    }

    private final Function<Target, Optional<Path>> localSocket;
    private final Optional<Tls> tls;
    private final String classpath;
    private final String java;

    /**
     * @param localSocket the UNIX socket of an export when it is this node's
     * @param tls         the node's TLS material, empty where engines serve plain TCP
     */
    public NbdTransport(Function<Target, Optional<Path>> localSocket, Optional<Tls> tls, String classpath) {
        this.localSocket = localSocket;
        this.tls = tls;
        this.classpath = classpath;
        this.java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** URIs as given, no TLS: for processes without engines of their own (tests, the controller). */
    public static NbdTransport plain() {
        return new NbdTransport(t -> Optional.empty(), Optional.empty(), "");
    }

    public Optional<Tls> tls() {
        return tls;
    }

    /** Host, port and export of {@code nbd://HOST:PORT[/EXPORT]}. */
    public static Target parse(String uri) {
        URI u = URI.create(uri);
        if (!"nbd".equals(u.getScheme()) || u.getHost() == null || u.getPort() < 0) {
            throw new IllegalArgumentException("not an nbd://HOST:PORT[/EXPORT] URI: " + uri);
        }
        String path = u.getRawPath() == null ? "" : u.getRawPath();
        return new Target(u.getHost(), u.getPort(), path.startsWith("/") ? path.substring(1) : path);
    }

    /** The local export's socket, if {@code uri} names one of this node's exports. */
    public Optional<Path> local(String uri) {
        return localSocket.apply(parse(uri));
    }

    /** Arguments that follow nbdfuse's mount point (a URI, or {@code --command} and the relay). */
    public List<String> nbdfuseSource(String uri) {
        Optional<Path> sock = local(uri);
        if (sock.isPresent()) {
            return List.of(unixUri(parse(uri).export(), sock.get()));
        }
        if (tls.isPresent()) {
            List<String> cmd = new ArrayList<>(List.of("--command"));
            cmd.addAll(relay(parse(uri)));
            return cmd;
        }
        return List.of(uri);
    }

    /** nbdcopy's operand: a URI or file, and what must stay open while nbdcopy runs. */
    public record Operand(String uri, java.io.Closeable resource) implements java.io.Closeable {
        @Override
        public void close() throws java.io.IOException {
            if (resource != null) {
                resource.close();
            }
        }
    }

    /**
     * nbdcopy's operand for {@code uri}: this node's socket; for another node's export with TLS, a
     * socket of this process that relays each connection over TLS ({@link TlsExportProxy}), since
     * nbdcopy runs helpers by socket activation only; else the URI.
     */
    public Operand nbdcopyOperand(String uri) throws java.io.IOException {
        if (!uri.startsWith("nbd://")) {
            return new Operand(uri, null); // a file (a snapshot's image) or another URI nbdcopy opens itself
        }
        Optional<Path> sock = local(uri);
        if (sock.isPresent()) {
            return new Operand(unixUri(parse(uri).export(), sock.get()), null);
        }
        if (tls.isPresent()) {
            Target t = parse(uri);
            TlsExportProxy proxy = new TlsExportProxy(t.host() + ":" + t.port(), t.export(), tlsConfig(), SERVER_NAME);
            return new Operand(proxy.uri(), proxy);
        }
        return new Operand(uri, null);
    }

    private dev.prescient.engine.tls.TlsConfig tlsConfig;

    private synchronized dev.prescient.engine.tls.TlsConfig tlsConfig() throws java.io.IOException {
        if (tlsConfig == null) {
            Tls m = tls.orElseThrow();
            tlsConfig = dev.prescient.engine.tls.TlsConfig.fromPem(m.cert(), m.key(), m.ca());
        }
        return tlsConfig;
    }

    /** The kernel client's arguments to connect {@code device} to {@code uri}. */
    public List<String> nbdClientArgs(String uri, String device) {
        Target t = parse(uri);
        Optional<Path> sock = local(uri);
        List<String> cmd = new ArrayList<>(List.of("nbd-client"));
        if (sock.isPresent()) {
            cmd.addAll(List.of("-unix", sock.get().toString(), device));
        } else {
            cmd.addAll(List.of(t.host(), Integer.toString(t.port()), device));
            tls.ifPresent(m -> cmd.addAll(List.of("-certfile", m.cert().toString(), "-keyfile", m.key().toString(),
                    "-cacertfile", m.ca().toString(), "-tlshostname", SERVER_NAME)));
        }
        if (!t.export().isEmpty()) {
            cmd.addAll(List.of("-name", t.export()));
        }
        return cmd;
    }

    static String unixUri(String export, Path socket) {
        return "nbd+unix:///" + export + "?socket=" + socket;
    }

    private List<String> relay(Target t) {
        Tls m = tls.orElseThrow();
        List<String> cmd = new ArrayList<>(List.of(java));
        cmd.addAll(RELAY_JVM);
        cmd.addAll(List.of("-cp", classpath, RELAY, "--connect", t.host() + ":" + t.port()));
        if (!t.export().isEmpty()) {
            cmd.addAll(List.of("--export", t.export()));
        }
        cmd.addAll(List.of("--tls-cert", m.cert().toString(), "--tls-key", m.key().toString(),
                "--tls-ca", m.ca().toString(), "--server-name", SERVER_NAME));
        return cmd;
    }
}
