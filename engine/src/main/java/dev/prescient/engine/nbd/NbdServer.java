package dev.prescient.engine.nbd;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An NBD server (fixed newstyle) on any number of UNIX and TCP listeners. Each connection is
 * served by a few threads that take turns reading a request and then execute it in parallel, so
 * one connection has several requests in flight; replies are written under the connection's lock.
 */
public final class NbdServer implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(NbdServer.class);

    private final Map<String, NbdExport> exports = new ConcurrentHashMap<>();
    private final List<ServerSocketChannel> listeners = new ArrayList<>();
    private final Set<NbdConnection> connections = ConcurrentHashMap.newKeySet();
    private final int threadsPerConnection;
    final BufferPool buffers = new BufferPool();
    private volatile boolean closed;

    /** @param threadsPerConnection requests one connection can execute at once */
    public NbdServer(int threadsPerConnection) {
        this.threadsPerConnection = threadsPerConnection;
    }

    public NbdServer() {
        this(Integer.getInteger("nbd.threadsPerConnection", 4));
    }

    public void addExport(NbdExport export) {
        exports.put(export.name(), export);
    }

    /** Removes an export; connections already using it keep it until they close. */
    public void removeExport(String name) {
        exports.remove(name);
    }

    /**
     * The export for a name; the empty name means the only export when there is exactly one. A client may ask
     * for {@code name@consumer}: the export {@code name}, with this connection's I/O attributed to
     * {@code consumer} in telemetry ({@code @consumer} alone: the only export). The node that attaches a volume says who it is this way, so heat tells the
     * planner which node reads the data, not only which node serves it.
     */
    NbdExport export(String name) {
        NbdExport e = exports.get(name);
        if (e == null && name.isEmpty() && exports.size() == 1) {
            return exports.values().iterator().next();
        }
        int at = name.lastIndexOf('@');
        if (e == null && at >= 0 && at < name.length() - 1) {
            NbdExport base = export(name.substring(0, at));
            if (base != null) {
                return base.withListener(name.substring(at + 1), base.listener());
            }
        }
        return e;
    }

    List<NbdExport> exports() {
        return new ArrayList<>(exports.values());
    }

    int threadsPerConnection() {
        return threadsPerConnection;
    }

    /** Listens on a UNIX socket (an existing socket file is replaced). */
    public void listenUnix(Path socket) throws IOException {
        Files.deleteIfExists(socket);
        ServerSocketChannel ss = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        ss.bind(UnixDomainSocketAddress.of(socket));
        start(ss, socket.toString());
    }

    /** Listens on TCP; returns the bound address (port 0 picks a free port). */
    public InetSocketAddress listenTcp(InetSocketAddress address) throws IOException {
        ServerSocketChannel ss = ServerSocketChannel.open(StandardProtocolFamily.INET);
        ss.bind(address);
        start(ss, String.valueOf(ss.getLocalAddress()));
        return (InetSocketAddress) ss.getLocalAddress();
    }

    private void start(ServerSocketChannel ss, String where) {
        synchronized (listeners) {
            listeners.add(ss);
        }
        Thread t = new Thread(() -> acceptLoop(ss, where), "nbd-accept " + where);
        t.setDaemon(true);
        t.start();
        LOG.info("NBD server listening on {}", where);
    }

    private void acceptLoop(ServerSocketChannel ss, String where) {
        while (!closed) {
            SocketChannel ch;
            try {
                ch = ss.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                LOG.warn("accept on {} failed: {}", where, e.toString());
                continue;
            }
            try {
                SocketAddress remote = ch.getRemoteAddress();
                if (remote instanceof InetSocketAddress) {
                    ch.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
                }
                NbdConnection c = new NbdConnection(this, ch, where);
                connections.add(c);
                Thread t = new Thread(() -> {
                    try {
                        c.run();
                    } finally {
                        connections.remove(c);
                    }
                }, "nbd-conn " + where);
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                LOG.warn("connection on {} failed: {}", where, e.toString());
            }
        }
    }

    public int connectionCount() {
        return connections.size();
    }

    @Override
    public void close() throws IOException {
        closed = true;
        synchronized (listeners) {
            for (ServerSocketChannel ss : listeners) {
                ss.close();
            }
        }
        for (NbdConnection c : connections) {
            c.abort();
        }
    }
}
