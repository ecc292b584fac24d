package dev.prescient.csi.agent;

import dev.prescient.engine.nbd.NbdTlsRelay;
import dev.prescient.engine.tls.TlsConfig;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Another node's export on a UNIX socket of this process, for the length of one copy: nbdcopy
 * cannot run {@link NbdTlsRelay} on its stdin and stdout, so each of its connections here is
 * relayed over TLS (node certificate, server checked against the CA and the node name) by a thread
 * of the agent. The socket lives in a fresh 0700 directory: only root on this node reaches it.
 */
final class TlsExportProxy implements java.io.Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(TlsExportProxy.class);
    private final Path dir;
    private final Path socket;
    private final ServerSocketChannel server;
    private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    TlsExportProxy(String hostPort, String export, TlsConfig tls, String serverName) throws IOException {
        dir = Files.createTempDirectory("prescient-copy-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        socket = dir.resolve("s");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Thread acceptor = new Thread(() -> {
            while (!closed) {
                try {
                    SocketChannel c = server.accept();
                    open.add(c);
                    Thread t = new Thread(() -> {
                        try {
                            NbdTlsRelay.relay(Channels.newInputStream(c), Channels.newOutputStream(c), hostPort, export,
                                    tls, serverName);
                        } catch (IOException | RuntimeException e) {
                            LOG.warn("copy from {}: {}", hostPort, e.getMessage());
                        } finally {
                            open.remove(c);
                            try {
                                c.close();
                            } catch (IOException ignored) {
                                // gone already
                            }
                        }
                    }, "tls-copy-" + hostPort);
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    if (!closed) {
                        LOG.warn("copy proxy for {}: {}", hostPort, e.toString());
                    }
                    return;
                }
            }
        }, "tls-copy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** The URI nbdcopy opens. */
    String uri() {
        return "nbd+unix:///?socket=" + socket;
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        for (SocketChannel c : open) {
            c.close();
        }
        Files.deleteIfExists(socket);
        Files.deleteIfExists(dir);
    }
}
