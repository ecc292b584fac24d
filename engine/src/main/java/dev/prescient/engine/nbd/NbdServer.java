package dev.prescient.engine.nbd;

import dev.prescient.engine.ServerThreads;
import dev.prescient.engine.tls.TlsConfig;
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
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An NBD server (fixed newstyle) on any number of UNIX and TCP listeners. Each connection is
 * served by a few threads that take turns reading a request and then execute it in parallel, so
 * one connection has several requests in flight; replies are written under the connection's lock.
 * The threads come from one bounded, named pool ({@code nbd-conn-N}): at most
 * {@code maxConnections x threadsPerConnection}.
 */
public final class NbdServer implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(NbdServer.class);

    private final Map<String, NbdExport> exports = new ConcurrentHashMap<>();
    private final List<ServerSocketChannel> listeners = new ArrayList<>();
    private final Set<NbdConnection> connections = ConcurrentHashMap.newKeySet();
    private final int threadsPerConnection;
    /** Every thread that serves a connection: its first, and the helpers that read and execute beside it. */
    private final ThreadPoolExecutor threads;
    private final NbdLimits limits;
    final BufferPool buffers;
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong reaped = new AtomicLong();
    private final AtomicLong acceptErrors = new AtomicLong();
    private final AtomicLong noMemory = new AtomicLong();
    private volatile long lastRefusalLog;
    private Thread watchdog;
    private volatile boolean closed;

    /** @param threadsPerConnection requests one connection can execute at once */
    public NbdServer(int threadsPerConnection) {
        this(threadsPerConnection, NbdLimits.defaults());
    }

    public NbdServer(int threadsPerConnection, NbdLimits limits) {
        if (threadsPerConnection < 1) {
            throw new IllegalArgumentException("threads per connection must be at least 1: " + threadsPerConnection);
        }
        this.threadsPerConnection = threadsPerConnection;
        this.limits = limits;
        this.buffers = new BufferPool(limits.bufferBytes(), limits.allocWaitMillis());
        // Connections are capped by the limit, so the pool never refuses one that was let in.
        this.threads = ServerThreads.perTask("nbd-conn",
                (int) Math.min(Integer.MAX_VALUE, (long) limits.maxConnections() * threadsPerConnection));
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

    /** Where a connection's helper threads come from (bounded with the connections). */
    Executor threads() {
        return threads;
    }

    /** The path a UNIX listener for {@code socket} is bound at before it is renamed into place. */
    public static Path unixBindPath(Path socket) {
        Path abs = socket.toAbsolutePath();
        return abs.resolveSibling("." + abs.getFileName() + ".bind").resolve("s");
    }

    NbdLimits limits() {
        return limits;
    }

    /**
     * Listens on a UNIX socket (an existing socket file is replaced), plain: only its owner may connect.
     * The socket is bound inside a fresh 0700 directory, made 0600 and then renamed into place, so it is
     * never reachable by others, not even between bind and chmod (the JDK cannot set a umask). The
     * kernel keeps the name it was bound with ({@link #unixBindPath}), which is how /proc/net/unix
     * shows its connections: a fixed name lets the node agent count them.
     */
    public void listenUnix(Path socket) throws IOException {
        Path abs = socket.toAbsolutePath();
        Files.deleteIfExists(abs);
        Path tmp = unixBindPath(abs);
        Path tmpDir = tmp.getParent();
        Files.deleteIfExists(tmp);
        Files.deleteIfExists(tmpDir);
        Files.createDirectory(tmpDir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        ServerSocketChannel ss = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ss.bind(UnixDomainSocketAddress.of(tmp));
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            ss.close();
            Files.deleteIfExists(tmp);
            throw e;
        } finally {
            Files.deleteIfExists(tmpDir);
        }
        start(ss, socket.toString(), null);
    }

    /** Listens on TCP without TLS; returns the bound address (port 0 picks a free port). */
    public InetSocketAddress listenTcp(InetSocketAddress address) throws IOException {
        return listenTcp(address, null);
    }

    /**
     * Listens on TCP; returns the bound address (port 0 picks a free port). With {@code tlsOrNull} every
     * client must negotiate TLS (NBD_OPT_STARTTLS) and present a certificate signed by its CA before any
     * other option.
     */
    public InetSocketAddress listenTcp(InetSocketAddress address, TlsConfig tlsOrNull) throws IOException {
        ServerSocketChannel ss = ServerSocketChannel.open(StandardProtocolFamily.INET);
        ss.bind(address);
        start(ss, ss.getLocalAddress() + (tlsOrNull != null ? " (TLS)" : ""), tlsOrNull);
        return (InetSocketAddress) ss.getLocalAddress();
    }

    private void start(ServerSocketChannel ss, String where, TlsConfig tls) {
        synchronized (listeners) {
            listeners.add(ss);
            if (watchdog == null) {
                watchdog = new Thread(this::watchdogLoop, "nbd-watchdog");
                watchdog.setDaemon(true);
                watchdog.start();
            }
        }
        Thread t = new Thread(() -> acceptLoop(ss, where, tls), "nbd-accept " + where);
        t.setDaemon(true);
        t.start();
        LOG.info("NBD server listening on {}", where);
    }

    /**
     * Survives every error: a failed accept (out of file descriptors, say) is logged and retried
     * after a pause, and a connection that cannot be set up (no thread, no memory) is closed
     * alone. Only closing the listener ends the loop.
     */
    private void acceptLoop(ServerSocketChannel ss, String where, TlsConfig tls) {
        while (!closed) {
            SocketChannel ch = null;
            try {
                ch = ss.accept();
                if (connections.size() >= limits.maxConnections()) {
                    refuse(ch, where);
                    continue;
                }
                SocketAddress remote = ch.getRemoteAddress();
                if (remote instanceof InetSocketAddress) {
                    ch.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
                }
                NbdConnection c = new NbdConnection(this, ch, where, tls);
                connections.add(c);
                try {
                    threads.execute(() -> {
                        try {
                            c.run();
                        } finally {
                            connections.remove(c);
                        }
                    });
                } catch (Throwable e) {
                    connections.remove(c);
                    throw e;
                }
            } catch (ClosedChannelException e) {
                if (ch == null) {
                    return; // the listener was closed
                }
                closeQuietly(ch);
            } catch (Throwable e) {
                // OutOfMemoryError ("unable to create native thread", direct memory) included: this
                // connection is lost, the listener is not.
                acceptErrors.incrementAndGet();
                closeQuietly(ch);
                if (closed) {
                    return;
                }
                LOG.warn("NBD accept on {} failed: {}", where, e.toString());
                if (ch == null) {
                    pause(); // accept itself failed (e.g. EMFILE): do not spin
                }
            }
        }
    }

    /** Over the connection limit: closed before the greeting, so the client fails at once. */
    private void refuse(SocketChannel ch, String where) {
        long n = refused.incrementAndGet();
        closeQuietly(ch);
        long now = System.nanoTime();
        if (now - lastRefusalLog > 1_000_000_000L || n == 1) {
            lastRefusalLog = now; // one line a second at most: a flood must not fill the disk with logs
            LOG.warn("NBD connection on {} refused: {} connections open, the limit is {} ({} refused so far)",
                    where, connections.size(), limits.maxConnections(), n);
        }
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(SocketChannel ch) {
        if (ch == null) {
            return;
        }
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing to tell the client we are dropping
        }
    }

    /** Closes connections that overran the handshake, stalled mid-request or sat idle too long. */
    private void watchdogLoop() {
        long tick = Math.max(10, Math.min(1000, Math.min(limits.handshakeMillis(), limits.stallMillis()) / 4));
        while (!closed) {
            try {
                Thread.sleep(tick);
                long now = System.nanoTime();
                for (NbdConnection c : connections) {
                    String why = c.overdue(now, limits);
                    if (why != null) {
                        reaped.incrementAndGet();
                        LOG.warn("closing NBD connection on {}: {}", c.where(), why);
                        c.abort();
                    }
                }
            } catch (InterruptedException e) {
                return;
            } catch (Throwable e) {
                LOG.warn("NBD watchdog: {}", e.toString());
            }
        }
    }

    public int connectionCount() {
        return connections.size();
    }

    /** Connections refused because the limit was reached. */
    public long refusedConnections() {
        return refused.get();
    }

    /** Connections closed by the handshake, stall or idle timeout. */
    public long timedOutConnections() {
        return reaped.get();
    }

    /** Requests answered ENOMEM (or connections closed) because no buffer budget was available. */
    public long noMemoryReplies() {
        return noMemory.get();
    }

    void noMemory() {
        noMemory.incrementAndGet();
    }

    /** Errors the accept loops survived (failed accepts, connections that could not be set up). */
    public long acceptErrors() {
        return acceptErrors.get();
    }

    /** Buffer bytes lent to connections now (read-ahead buffers and requests' payloads). */
    public long bufferBytesInUse() {
        return buffers.lentBytes();
    }

    /** Direct memory the request buffers hold now (lent and idle). */
    public long bufferBytes() {
        return buffers.allocatedBytes();
    }

    @Override
    public void close() throws IOException {
        closed = true;
        synchronized (listeners) {
            for (ServerSocketChannel ss : listeners) {
                ss.close();
            }
        }
        if (watchdog != null) {
            watchdog.interrupt();
        }
        for (NbdConnection c : connections) {
            c.abort();
        }
        threads.shutdown(); // running connections finish; their threads then end
    }

    /**
     * Closes like {@link #close()}, then waits up to {@code millis} until every connection has
     * finished the requests it was executing, so a clean stop can mark replicas clean after the
     * last write. True if none is left.
     */
    public boolean closeAndWait(long millis) throws IOException {
        close();
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (!connections.isEmpty() && System.nanoTime() < deadline) {
            pause();
        }
        return connections.isEmpty();
    }
}
