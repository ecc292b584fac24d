package dev.prescient.engine.replication;

import dev.prescient.engine.ReplicaProvider;
import dev.prescient.engine.ServerThreads;
import dev.prescient.engine.tls.TlsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.channels.ServerSocketChannel;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Serves the replicas of this node to remote engines over the replication stream. Each connection
 * has a thread from a bounded pool ({@link #MAX_CONNECTIONS}; beyond it a connection is closed at
 * once) that reads requests in arrival order; large writes are applied by a small pool of write
 * workers shared by the connections while the connection reads on ({@link ServerConnection},
 * whose ordering rule keeps every outcome of the serial order). A connection that breaks the
 * protocol is closed; nothing it sent after the last valid frame is applied, and other
 * connections are unaffected.
 */
public final class ReplicationServer implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicationServer.class);
    /** Connections served at once: a node hosts a few hundred replicas at most, each with one or two peers. */
    static final int MAX_CONNECTIONS = 256;

    private final ReplicaProvider provider;
    private final ServerSocket listener;
    private final boolean tls;
    private final Thread acceptor;
    private final ThreadPoolExecutor connectionThreads;
    /** Apply large writes: as many as there are cores, more would only queue on them. */
    private final ExecutorService writeWorkers;
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    private final AtomicLong checksumNacks = new AtomicLong();
    private final AtomicLong protocolCloses = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong handedOff = new AtomicLong();
    /** A peer must complete TLS and HELLO within this time, so idle half-open sockets cannot pile up. */
    private static final long HELLO_TIMEOUT_MS = 10_000;
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "repl-server-timer");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean closed;

    public ReplicationServer(ReplicaProvider provider, InetSocketAddress bind, TlsConfig tlsOrNull) throws IOException {
        this.provider = provider;
        this.tls = tlsOrNull != null;
        this.listener = tls ? tlsOrNull.serverSocket() : ServerSocketChannel.open().socket();
        listener.setReuseAddress(true);
        listener.bind(bind, 128);
        this.connectionThreads = ServerThreads.perTask("repl-conn-" + port(), MAX_CONNECTIONS);
        this.writeWorkers = ServerThreads.fixed("repl-write-" + port(),
                Math.max(2, Runtime.getRuntime().availableProcessors()));
        this.acceptor = new Thread(this::acceptLoop, "repl-accept-" + port());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return listener.getLocalPort();
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) listener.getLocalSocketAddress();
    }

    /** Payloads that failed their checksum and were NACKed (never applied). */
    public long checksumNacks() {
        return checksumNacks.get();
    }

    /** Connections closed because they broke the protocol. */
    public long protocolCloses() {
        return protocolCloses.get();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket s;
            try {
                s = listener.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("replication server on port {}: accept failed: {}", port(), e.toString());
                }
                continue;
            }
            try {
                s.setTcpNoDelay(true);
                connections.add(s);
                connectionThreads.execute(() -> serve(s));
            } catch (RejectedExecutionException | IOException e) {
                connections.remove(s);
                long n = refused.incrementAndGet();
                if (!closed) {
                    LOG.warn("replication server on port {}: refusing {} ({} connections served, {} refused so far): {}",
                            port(), s.getRemoteSocketAddress(), connectionThreads.getActiveCount(), n, e.toString());
                }
                try {
                    s.close();
                } catch (IOException ignored) {
                    // refused anyway
                }
            }
        }
    }

    /** Connections closed at once because {@link #MAX_CONNECTIONS} were being served. */
    public long refusedConnections() {
        return refused.get();
    }

    boolean isClosed() {
        return closed;
    }

    /** Writes applied by a write worker while their connection read on. */
    public long pipelinedWrites() {
        return handedOff.get();
    }

    void countPipelined() {
        handedOff.incrementAndGet();
    }

    void countChecksumNack() {
        checksumNacks.incrementAndGet();
    }

    private void serve(Socket s) {
        String peer = String.valueOf(s.getRemoteSocketAddress());
        ServerConnection conn = null;
        ScheduledFuture<?> helloTimer = TIMER.schedule(() -> {
            LOG.warn("replication peer {}: no HELLO within {} ms, closing", peer, HELLO_TIMEOUT_MS);
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }, HELLO_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        try {
            // The socket is closed in finally, after the outcome is counted.
            conn = new ServerConnection(this, provider, Wire.of(s), peer, writeWorkers, helloTimer);
            conn.run();
        } catch (ReplicationException e) {
            protocolCloses.incrementAndGet();
            LOG.warn("replication peer {}: closing connection: {}", peer, e.getMessage());
        } catch (EOFException | SocketException e) {
            LOG.debug("replication peer {}: disconnected: {}", peer, e.toString());
        } catch (IOException | RuntimeException e) {
            LOG.warn("replication peer {}: connection failed: {}", peer, e.toString());
        } finally {
            helloTimer.cancel(false);
            if (conn != null) {
                conn.release();
            }
            connections.remove(s);
            try {
                s.close();
            } catch (IOException ignored) {
                // already broken
            }
        }
    }

    /** Stops accepting, closes every connection and waits (up to 10 s) until none touches a replica. */
    @Override
    public void close() throws IOException {
        closed = true;
        listener.close();
        for (Socket s : connections) {
            s.close();
        }
        connectionThreads.shutdown();
        try {
            acceptor.join(1000);
            connectionThreads.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        writeWorkers.shutdown();
    }
}
