package dev.prescient.engine.replication;

import dev.prescient.engine.BlockSink;
import dev.prescient.engine.BlockTarget;
import dev.prescient.engine.tls.TlsConfig;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A replica on another node, reached over the replication stream. Safe for concurrent callers:
 * each call is one or more pipelined requests on a shared connection. When the connection dies
 * every call fails promptly with a {@link ReplicationException}; the replica set then marks this
 * replica ERR and may later {@link #reconnect()} it for a catch-up through {@link #openSink(int)}.
 */
public final class RemoteReplica implements BlockTarget {
    private final InetSocketAddress address;
    private final String replicaId;
    private final TlsConfig tls;
    private final ReplicationSettings settings;
    private volatile ClientConnection conn;

    private RemoteReplica(InetSocketAddress address, String replicaId, TlsConfig tls, ReplicationSettings settings)
            throws IOException {
        this.address = address;
        this.replicaId = replicaId;
        this.tls = tls;
        this.settings = settings;
        this.conn = ClientConnection.open(address, replicaId, tls, settings);
    }

    /** Connects to replica {@code replicaId} served at {@code address}; {@code tls} may be null (plain TCP). */
    public static RemoteReplica connect(InetSocketAddress address, String replicaId, TlsConfig tls,
                                        ReplicationSettings settings) throws IOException {
        return new RemoteReplica(address, replicaId, tls, settings);
    }

    public String replicaId() {
        return replicaId;
    }

    public ReplicationSettings settings() {
        return settings;
    }

    /** False once the connection failed; calls then throw until {@link #reconnect()}. */
    public boolean isConnected() {
        return !conn.isBroken();
    }

    /** Replaces a dead connection with a new one (no-op while the current one is alive). */
    public synchronized void reconnect() throws IOException {
        if (conn.isBroken()) {
            conn = ClientConnection.open(address, replicaId, tls, settings);
        }
    }

    /** Bytes written to the wire by all connections of this replica so far. */
    public long bytesSent() {
        return conn.bytesSent();
    }

    ClientConnection connection() {
        return conn;
    }

    @Override
    public long size() {
        return conn.size();
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        ClientConnection c = conn;
        int total = dst.remaining();
        if (total <= Frame.MAX_IO) {
            ByteBuffer d = dst.duplicate();
            c.call(new ClientConnection.Call(Frame.READ, 0, offset, total, null, d));
        } else {
            List<ClientConnection.Call> calls = new ArrayList<>();
            for (int done = 0; done < total; done += Frame.MAX_IO) {
                int n = Math.min(Frame.MAX_IO, total - done);
                ByteBuffer d = dst.duplicate().position(dst.position() + done).limit(dst.position() + done + n);
                calls.add(c.send(new ClientConnection.Call(Frame.READ, 0, offset + done, n, null, d)));
            }
            awaitAll(c, calls);
        }
        dst.position(dst.limit());
    }

    @Override
    public void write(long offset, ByteBuffer src, boolean fua) throws IOException {
        ClientConnection c = conn;
        int total = src.remaining();
        int flags = fua ? Frame.FLAG_FUA : 0;
        if (total <= Frame.MAX_IO) {
            c.call(new ClientConnection.Call(Frame.WRITE, flags, offset, 0, src.duplicate(), null));
        } else {
            List<ClientConnection.Call> calls = new ArrayList<>();
            for (int done = 0; done < total; done += Frame.MAX_IO) {
                int n = Math.min(Frame.MAX_IO, total - done);
                ByteBuffer s = src.duplicate().position(src.position() + done).limit(src.position() + done + n);
                calls.add(c.send(new ClientConnection.Call(Frame.WRITE, flags, offset + done, 0, s, null)));
            }
            awaitAll(c, calls);
        }
        src.position(src.limit());
    }

    /** Sends the write and returns; the answer is awaited (and a checksum NACK resent) by the caller's await. */
    @Override
    public PendingWrite startWrite(long offset, ByteBuffer src, boolean fua) throws IOException {
        if (src.remaining() > Frame.MAX_IO) {
            return null;
        }
        ClientConnection c = conn;
        ClientConnection.Call call = c.send(new ClientConnection.Call(Frame.WRITE, fua ? Frame.FLAG_FUA : 0, offset, 0,
                src.duplicate(), null));
        src.position(src.limit());
        return new PendingWrite() {
            @Override
            public void await() throws IOException {
                c.complete(c.await(call), settings.maxRetries());
            }

            @Override
            public void whenDone(java.util.concurrent.Executor blocking, WriteDone done) {
                c.whenAnswered(call, settings.maxRetries(), blocking, done);
            }
        };
    }

    @Override
    public void unmap(long offset, long length) throws IOException {
        conn.call(new ClientConnection.Call(Frame.UNMAP, 0, offset, length, null, null));
    }

    @Override
    public void writeZeroes(long offset, long length, boolean fua) throws IOException {
        conn.call(new ClientConnection.Call(Frame.WRITE_ZEROES, fua ? Frame.FLAG_FUA : 0, offset, length, null, null));
    }

    @Override
    public void flush() throws IOException {
        conn.call(new ClientConnection.Call(Frame.FLUSH, 0, 0, 0, null, null));
    }

    /**
     * A bulk-sync sink: blocks are batched into chunks, deduplicated against the target (when
     * enabled), compressed, checksummed and pipelined; see {@link RemoteBlockSink}.
     */
    @Override
    public BlockSink openSink(int blockSize) throws IOException {
        return new RemoteBlockSink(conn, blockSize, settings);
    }

    @Override
    public void close() {
        conn.close();
    }

    private void awaitAll(ClientConnection c, List<ClientConnection.Call> calls) throws IOException {
        IOException first = null;
        for (ClientConnection.Call call : calls) {
            try {
                c.complete(c.await(call), settings.maxRetries());
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
