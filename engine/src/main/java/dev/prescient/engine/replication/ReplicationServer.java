package dev.prescient.engine.replication;

import dev.prescient.engine.BlockTarget;
import dev.prescient.engine.NoSpaceException;
import dev.prescient.engine.OutOfRangeException;
import dev.prescient.engine.ReplicaProvider;
import dev.prescient.engine.tls.TlsConfig;
import net.openhft.hashing.LongHashFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Serves the replicas of this node to remote engines over the replication stream. One thread per
 * connection handles requests in arrival order (so a client's pipelined requests to one replica
 * apply in the order they were sent) and batches answers until its input runs dry. A connection
 * that breaks the protocol is closed; nothing it sent after the last valid frame is applied, and
 * other connections are unaffected.
 */
public final class ReplicationServer implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicationServer.class);
    private static final LongHashFunction XXH3 = LongHashFunction.xx3();

    private final ReplicaProvider provider;
    private final ServerSocket listener;
    private final boolean tls;
    private final Thread acceptor;
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    private final Set<Thread> workers = ConcurrentHashMap.newKeySet();
    private final AtomicLong checksumNacks = new AtomicLong();
    private final AtomicLong protocolCloses = new AtomicLong();
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
            try {
                Socket s = listener.accept();
                s.setTcpNoDelay(true);
                connections.add(s);
                Thread t = new Thread(() -> {
                    try {
                        serve(s);
                    } finally {
                        workers.remove(Thread.currentThread());
                    }
                }, "repl-conn-" + s.getRemoteSocketAddress());
                t.setDaemon(true);
                workers.add(t);
                t.start();
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("replication server on port {}: accept failed: {}", port(), e.toString());
                }
            }
        }
    }

    private void serve(Socket s) {
        String peer = String.valueOf(s.getRemoteSocketAddress());
        Connection conn = null;
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
            conn = new Connection(Wire.of(s), peer, helloTimer);
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
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        try {
            acceptor.join(1000);
            for (Thread t : workers) {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The state of one client connection; used by its thread only. */
    private final class Connection {
        private final Wire wire;
        private final String peer;
        private final Frame req = new Frame();
        private final Frame resp = new Frame();
        private final ByteBuffer header = ByteBuffer.allocateDirect(Frame.HEADER_SIZE);
        private final ByteBuffer respHeader = ByteBuffer.allocateDirect(Frame.HEADER_SIZE);
        private ByteBuffer payload = ByteBuffer.allocateDirect(1024 * 1024);
        private ByteBuffer scratch = ByteBuffer.allocateDirect(1024 * 1024);
        private byte[] hashScratch = new byte[4096];
        private BlockTarget target;
        private String replicaId;
        private long size;

        private final ScheduledFuture<?> helloTimer;

        Connection(Wire wire, String peer, ScheduledFuture<?> helloTimer) {
            this.wire = wire;
            this.peer = peer;
            this.helloTimer = helloTimer;
        }

        /** Drops this connection's reference to its replica (the store counts references). */
        void release() {
            if (target != null) {
                try {
                    target.close();
                } catch (IOException e) {
                    LOG.warn("replica {}: close after peer {} left failed: {}", replicaId, peer, e.toString());
                }
                target = null;
            }
        }

        void run() throws IOException {
            while (!closed) {
                if (wire.buffered() < Frame.HEADER_SIZE) {
                    // Nothing more queued from the client: send the answers collected so far.
                    wire.flush();
                }
                header.clear();
                wire.readFully(header);
                header.flip();
                req.decode(header);
                if (target == null && req.payloadLength > 1024) {
                    // Before HELLO a peer is unknown: it gets no large buffers.
                    throw new ReplicationException(ReplicationException.Reason.PROTOCOL,
                            "first frame carries " + req.payloadLength + " bytes");
                }
                payload = ensure(payload, req.payloadLength);
                payload.clear().limit(req.payloadLength);
                wire.readFully(payload);
                payload.flip();
                if (req.type == Frame.RESPONSE || req.type < Frame.HELLO || req.type > Frame.CHUNK) {
                    throw new ReplicationException(ReplicationException.Reason.PROTOCOL,
                            "unexpected frame " + Frame.typeName(req.type));
                }
                if (Frame.crc(payload) != req.payloadCrc) {
                    // The header was intact, so the stream is still in step: refuse this one and go on.
                    checksumNacks.incrementAndGet();
                    LOG.info("replication peer {} replica {}: {} id {} failed its checksum, NACK",
                            peer, replicaId, Frame.typeName(req.type), req.id);
                    respond(Frame.ERR_CHECKSUM, 0, null);
                    continue;
                }
                if (target == null) {
                    hello();
                    continue;
                }
                try {
                    handle();
                } catch (NoSpaceException e) {
                    respondError(Frame.ERR_NO_SPACE, e);
                } catch (OutOfRangeException e) {
                    respondRange();
                } catch (ReplicationException e) {
                    throw e;
                } catch (IOException e) {
                    LOG.warn("replica {}: {} failed: {}", replicaId, Frame.typeName(req.type), e.toString());
                    respondError(Frame.ERR_IO, e);
                }
            }
        }

        private void hello() throws IOException {
            if (req.type != Frame.HELLO) {
                throw new ReplicationException(ReplicationException.Reason.PROTOCOL,
                        "expected HELLO, got " + Frame.typeName(req.type));
            }
            if (req.arg0 != Frame.PROTOCOL_VERSION) {
                respondError(Frame.ERR_PROTOCOL, new IOException("unsupported protocol version " + req.arg0));
                wire.flush();
                throw new ReplicationException(ReplicationException.Reason.PROTOCOL, "version " + req.arg0);
            }
            if (req.payloadLength == 0 || req.payloadLength > 1024) {
                throw new ReplicationException(ReplicationException.Reason.PROTOCOL, "bad replica id length");
            }
            byte[] id = new byte[req.payloadLength];
            payload.get(id);
            String rid = new String(id, StandardCharsets.UTF_8);
            try {
                target = provider.openReplica(rid);
            } catch (NoSuchFileException e) {
                respondError(Frame.ERR_NO_REPLICA, e);
                wire.flush();
                throw new ReplicationException(ReplicationException.Reason.NO_SUCH_REPLICA, rid);
            }
            replicaId = rid;
            size = target.size();
            helloTimer.cancel(false);
            respond(Frame.OK, size, null);
            LOG.debug("replication peer {} attached to replica {} ({} bytes)", peer, rid, size);
        }

        private void handle() throws IOException {
            boolean fua = (req.flags & Frame.FLAG_FUA) != 0;
            // Absolute bulk get/put check against the limit: every request starts from a clear scratch.
            scratch.clear();
            switch (req.type) {
                case Frame.READ -> {
                    if (!inRange(req.arg0, req.arg1) || req.arg1 > Frame.MAX_IO) {
                        respondRange();
                        return;
                    }
                    scratch = ensure(scratch, (int) req.arg1);
                    ByteBuffer dst = scratch.clear().limit((int) req.arg1);
                    target.read(req.arg0, dst);
                    dst.flip();
                    respond(Frame.OK, 0, dst);
                }
                case Frame.WRITE -> {
                    if (!inRange(req.arg0, req.payloadLength)) {
                        respondRange();
                        return;
                    }
                    target.write(req.arg0, payload, fua);
                    respond(Frame.OK, 0, null);
                }
                case Frame.UNMAP, Frame.WRITE_ZEROES -> {
                    if (!inRange(req.arg0, req.arg1)) {
                        respondRange();
                        return;
                    }
                    if (req.type == Frame.UNMAP) {
                        target.unmap(req.arg0, req.arg1);
                    } else {
                        target.writeZeroes(req.arg0, req.arg1, fua);
                    }
                    respond(Frame.OK, 0, null);
                }
                case Frame.FLUSH -> {
                    target.flush();
                    respond(Frame.OK, 0, null);
                }
                case Frame.OFFER -> offer();
                case Frame.CHUNK -> chunk();
                default -> throw new ReplicationException(ReplicationException.Reason.PROTOCOL,
                        "unexpected frame " + Frame.typeName(req.type));
            }
        }

        /** Answers which offered blocks differ from what this replica holds at the same index. */
        private void offer() throws IOException {
            int bs = blockSize(req.arg0);
            if (req.payloadLength % 16 != 0) {
                throw new ReplicationException(ReplicationException.Reason.PROTOCOL, "OFFER length " + req.payloadLength);
            }
            int n = req.payloadLength / 16;
            ByteBuffer p = payload.order(ByteOrder.BIG_ENDIAN);
            for (int i = 0; i < n; i++) {
                if (!blockInRange(p.getLong(i * 16), bs)) {
                    respondRange();
                    return;
                }
            }
            int bitmapLen = (n + 7) / 8;
            scratch = ensure(scratch, Math.max(bitmapLen + bs, 1024 * 1024)).clear();
            ByteBuffer bitmap = scratch.duplicate().clear().limit(bitmapLen);
            for (int i = 0; i < bitmapLen; i++) {
                bitmap.put(i, (byte) 0);
            }
            ByteBuffer block = scratch.duplicate();
            if (hashScratch.length < bs) {
                hashScratch = new byte[bs];
            }
            int cap = (scratch.capacity() - bitmapLen) / bs;
            int i = 0;
            while (i < n) {
                // Consecutive indices are read with one call.
                long first = p.getLong(i * 16);
                int run = 1;
                while (i + run < n && run < cap && p.getLong((i + run) * 16) == first + run) {
                    run++;
                }
                long off = first * bs;
                int len = (int) Math.min((long) run * bs, size - off);
                block.clear().position(bitmapLen).limit(bitmapLen + len);
                target.read(off, block);
                for (int k = 0; k < run; k++) {
                    int boff = bitmapLen + k * bs;
                    int blen = Math.min(bs, bitmapLen + len - boff);
                    // Hashed from a heap copy: the hash library cannot read direct buffers on Java 17.
                    scratch.get(boff, hashScratch, 0, blen);
                    long have = XXH3.hashBytes(hashScratch, 0, blen);
                    if (have != p.getLong((i + k) * 16 + 8)) {
                        int bit = i + k;
                        bitmap.put(bit >>> 3, (byte) (bitmap.get(bit >>> 3) | (1 << (bit & 7))));
                    }
                }
                i += run;
            }
            respond(Frame.OK, n, bitmap);
        }

        /** Applies a batch of blocks: int n, n block indices, then the (compressed) block bytes. */
        private void chunk() throws IOException {
            int bs = blockSize(req.arg0);
            Compression codec = Compression.byId(req.flags);
            ByteBuffer p = payload.order(ByteOrder.BIG_ENDIAN);
            if (req.payloadLength < 4) {
                throw new ReplicationException(ReplicationException.Reason.PROTOCOL, "short CHUNK");
            }
            int n = p.getInt(0);
            long dataOff = 4L + 8L * n;
            if (n <= 0 || dataOff > req.payloadLength) {
                throw new ReplicationException(ReplicationException.Reason.PROTOCOL, "CHUNK block count " + n);
            }
            long raw = 0;
            for (int i = 0; i < n; i++) {
                long idx = p.getLong(4 + 8 * i);
                if (!blockInRange(idx, bs)) {
                    respondRange();
                    return;
                }
                raw += Math.min(bs, size - idx * bs);
            }
            if (raw != req.arg1 || raw > Frame.MAX_PAYLOAD) {
                throw new ReplicationException(ReplicationException.Reason.PROTOCOL,
                        "CHUNK raw length " + req.arg1 + " does not match its blocks (" + raw + ")");
            }
            scratch = ensure(scratch, (int) raw).clear();
            codec.decompress(p, (int) dataOff, req.payloadLength - (int) dataOff, scratch, 0, (int) raw);
            int pos = 0;
            int i = 0;
            while (i < n) {
                long first = p.getLong(4 + 8 * i);
                int run = 1;
                while (i + run < n && p.getLong(4 + 8 * (i + run)) == first + run) {
                    run++;
                }
                long off = first * bs;
                int len = (int) Math.min((long) run * bs, size - off);
                target.write(off, scratch.duplicate().limit(pos + len).position(pos), false);
                pos += len;
                i += run;
            }
            respond(Frame.OK, n, null);
        }

        private int blockSize(long v) throws ReplicationException {
            if (v < 512 || v > 1024 * 1024 || Long.bitCount(v) != 1) {
                throw new ReplicationException(ReplicationException.Reason.PROTOCOL, "block size " + v);
            }
            return (int) v;
        }

        private boolean inRange(long off, long len) {
            return off >= 0 && len >= 0 && off <= size && len <= size - off;
        }

        private boolean blockInRange(long idx, int bs) {
            return idx >= 0 && idx <= (size - 1) / bs;
        }

        private void respondRange() throws IOException {
            respond(Frame.ERR_RANGE, 0, null);
        }

        private void respondError(int status, IOException e) throws IOException {
            String m = String.valueOf(e.getMessage());
            byte[] b = m.getBytes(StandardCharsets.UTF_8);
            respond(status, 0, ByteBuffer.wrap(b, 0, Math.min(b.length, 4096)));
        }

        private void respond(int status, long arg0, ByteBuffer body) throws IOException {
            resp.set(Frame.RESPONSE, status, req.id, arg0, 0);
            if (body != null) {
                resp.payloadLength = body.remaining();
                resp.payloadCrc = Frame.crc(body);
            }
            respHeader.clear();
            resp.encode(respHeader);
            respHeader.flip();
            wire.write(respHeader, body);
        }
    }

    private static ByteBuffer ensure(ByteBuffer b, int capacity) {
        if (b.capacity() >= capacity) {
            return b;
        }
        return ByteBuffer.allocateDirect(Math.max(capacity, b.capacity() * 2));
    }
}
