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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Another node's export on a UNIX socket of this process, for the length of one copy: nbdcopy
 * cannot run {@link NbdTlsRelay} on its stdin and stdout, so each of its connections here is
 * relayed over TLS (node certificate, server checked against the CA and the node name) by a thread
 * of a bounded pool ({@link #MAX_CONNECTIONS}). The socket lives in a fresh 0700 directory: only root
 * on this node reaches it.
 */
final class TlsExportProxy implements java.io.Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(TlsExportProxy.class);
    private final Path dir;
    private final Path socket;
    private final ServerSocketChannel server;
    private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;
    /** One relay per connection of the copy: nbdcopy opens up to 4 per side, so 16 leaves room and still bounds. */
    static final int MAX_CONNECTIONS = 16;
    private final ExecutorService relays;
    private final ExecutorService acceptor;

    TlsExportProxy(String hostPort, String export, TlsConfig tls, String serverName) throws IOException {
        dir = Files.createTempDirectory("prescient-copy-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        socket = dir.resolve("s");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        relays = new ThreadPoolExecutor(0, MAX_CONNECTIONS, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                daemon("tls-copy-" + hostPort));
        acceptor = Executors.newSingleThreadExecutor(daemon("tls-copy-accept"));
        acceptor.execute(() -> acceptLoop(hostPort, export, tls, serverName));
    }

    private void acceptLoop(String hostPort, String export, TlsConfig tls, String serverName) {
        while (!closed) {
            SocketChannel c;
            try {
                c = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("copy proxy for {}: {}", hostPort, e.toString());
                }
                return;
            }
            open.add(c);
            try {
                relays.execute(() -> {
                    try {
                        NbdTlsRelay.relay(Channels.newInputStream(c), Channels.newOutputStream(c), hostPort, export,
                                tls, serverName);
                    } catch (IOException | RuntimeException e) {
                        LOG.warn("copy from {}: {}", hostPort, e.getMessage());
                    } finally {
                        closeQuietly(c);
                    }
                });
            } catch (RejectedExecutionException e) {
                // More connections than one nbdcopy opens: refused rather than queued (a queued NBD client hangs).
                LOG.warn("copy from {}: connection refused, {} relays busy", hostPort, MAX_CONNECTIONS);
                closeQuietly(c);
            }
        }
    }

    private void closeQuietly(SocketChannel c) {
        open.remove(c);
        try {
            c.close();
        } catch (IOException ignored) {
            // gone already
        }
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** The URI nbdcopy opens. */
    String uri() {
        return "nbd+unix:///?socket=" + socket;
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        acceptor.shutdownNow();
        relays.shutdownNow();
        for (SocketChannel c : open) {
            c.close();
        }
        Files.deleteIfExists(socket);
        Files.deleteIfExists(dir);
    }
}
