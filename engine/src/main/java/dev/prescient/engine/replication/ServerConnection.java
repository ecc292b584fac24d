package dev.prescient.engine.replication;

import dev.prescient.engine.BlockTarget;
import dev.prescient.engine.NoSpaceException;
import dev.prescient.engine.OutOfRangeException;
import dev.prescient.engine.ReplicaProvider;
import net.openhft.hashing.LongHashFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;

/**
 * The member side of one replication connection. Its thread reads requests in arrival order and
 * runs them itself, except large WRITEs, which it hands to the server's write workers and goes on
 * reading: the next request's bytes come off the socket while the previous payload is written
 * ({@link InFlightWrites} says which requests may run beside which, and keeps every outcome of the
 * serial order). Answers carry the request's id, so a worker's answer may overtake an earlier
 * one; the client matches them by id. Answers the reading thread gives are batched until its
 * input runs dry; a worker sends its answer at once. An answer is sent only after the write it
 * acknowledges returned (and, with FUA, was flushed), as before.
 */
final class ServerConnection {
    private static final Logger LOG = LoggerFactory.getLogger(ServerConnection.class);
    private static final LongHashFunction XXH3 = LongHashFunction.xx3();
    /** Large writes one connection may have running on workers at once (a 1 MiB buffer each). */
    static final int PIPELINE_SLOTS = 4;

    private final ReplicationServer server;
    private final ReplicaProvider provider;
    private final Wire wire;
    private final String peer;
    private final Executor workers;
    private final Frame req = new Frame();
    private final ByteBuffer header = ByteBuffer.allocateDirect(Frame.HEADER_SIZE);
    private ByteBuffer payload = ByteBuffer.allocateDirect(1024 * 1024);
    private ByteBuffer scratch = ByteBuffer.allocateDirect(1024 * 1024);
    private byte[] hashScratch = new byte[4096];
    // Answers are written by the reading thread and by workers: under writeLock, with its own frame.
    private final Object writeLock = new Object();
    private final Frame resp = new Frame();
    private final ByteBuffer respHeader = ByteBuffer.allocateDirect(Frame.HEADER_SIZE);
    private final InFlightWrites inFlight = new InFlightWrites(PIPELINE_SLOTS);
    private final ByteBuffer[] slotBuffers = new ByteBuffer[PIPELINE_SLOTS];
    private final ScheduledFuture<?> helloTimer;
    private BlockTarget target;
    private String replicaId;
    private long size;
    /** Set by a worker whose answer could not be sent: the stream is broken, the reader stops. */
    private volatile IOException workerFailure;

    ServerConnection(ReplicationServer server, ReplicaProvider provider, Wire wire, String peer, Executor workers,
                     ScheduledFuture<?> helloTimer) {
        this.server = server;
        this.provider = provider;
        this.wire = wire;
        this.peer = peer;
        this.workers = workers;
        this.helloTimer = helloTimer;
    }

    /**
     * Waits for the writes still running on workers, then drops this connection's reference to its
     * replica (the store counts references): nothing touches the replica after this returns.
     */
    void release() {
        try {
            inFlight.awaitIdle();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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
        while (!server.isClosed()) {
            if (wire.buffered() < Frame.HEADER_SIZE) {
                // Nothing more queued from the client: send the answers collected so far.
                synchronized (writeLock) {
                    wire.flush();
                }
            }
            IOException wf = workerFailure;
            if (wf != null) {
                throw wf;
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
            if (req.type == Frame.RESPONSE || req.type < Frame.HELLO || req.type > Frame.CHUNK) {
                throw new ReplicationException(ReplicationException.Reason.PROTOCOL,
                        "unexpected frame " + Frame.typeName(req.type));
            }
            if (target != null && InFlightWrites.pipelines(req.type, req.payloadLength)
                    && inRange(req.arg0, req.payloadLength)) {
                pipelinedWrite();
                continue;
            }
            payload = ensure(payload, req.payloadLength);
            payload.clear().limit(req.payloadLength);
            wire.readFully(payload);
            payload.flip();
            if (Frame.crc(payload) != req.payloadCrc) {
                nack();
                continue;
            }
            if (target == null) {
                hello();
                continue;
            }
            // Everything but a large write runs after the writes before it, as in the serial order.
            awaitIdle();
            try {
                handle();
            } catch (NoSpaceException e) {
                respondError(req.id, Frame.ERR_NO_SPACE, e);
            } catch (OutOfRangeException e) {
                respond(req.id, Frame.ERR_RANGE, 0, null, false);
            } catch (ReplicationException e) {
                throw e;
            } catch (IOException e) {
                LOG.warn("replica {}: {} failed: {}", replicaId, Frame.typeName(req.type), e.toString());
                respondError(req.id, Frame.ERR_IO, e);
            }
        }
    }

    /** The header was intact, so the stream is still in step: refuse this one and go on. */
    private void nack() throws IOException {
        server.countChecksumNack();
        LOG.info("replication peer {} replica {}: {} id {} failed its checksum, NACK",
                peer, replicaId, Frame.typeName(req.type), req.id);
        respond(req.id, Frame.ERR_CHECKSUM, 0, null, false);
    }

    /**
     * Reads a large WRITE's payload into a slot buffer and lets a worker apply and answer it. The
     * slot is taken before the payload is read: an overlapping earlier write finishes first.
     */
    private void pipelinedWrite() throws IOException {
        int slot;
        try {
            slot = inFlight.begin(req.arg0, req.payloadLength);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("waiting for a write slot");
        }
        boolean handedOver = false;
        try {
            if (slotBuffers[slot] == null) {
                slotBuffers[slot] = ByteBuffer.allocateDirect(InFlightWrites.MAX_PIPELINED);
            }
            ByteBuffer data = slotBuffers[slot].clear().limit(req.payloadLength);
            wire.readFully(data);
            data.flip();
            if (Frame.crc(data) != req.payloadCrc) {
                nack();
                return;
            }
            long id = req.id;
            long offset = req.arg0;
            boolean fua = (req.flags & Frame.FLAG_FUA) != 0;
            boolean inline = !wire.moreWaiting();
            handedOver = true;
            if (inline) {
                // Nothing to read meanwhile: a hand-off would cost two thread switches and overlap
                // nothing (measured: a CPU-bound machine lost throughput to them).
                applyWrite(slot, id, offset, data, fua, false);
                return;
            }
            try {
                workers.execute(() -> applyWrite(slot, id, offset, data, fua, true));
                server.countPipelined();
            } catch (RejectedExecutionException e) {
                // The server is closing: apply it here, as before pipelining.
                applyWrite(slot, id, offset, data, fua, false);
            }
        } finally {
            if (!handedOver) {
                inFlight.end(slot);
            }
        }
    }

    /**
     * Applies one write and answers it; the slot is free once the answer is queued. A worker sends
     * the answer at once ({@code now}); the reading thread batches it with the others.
     */
    private void applyWrite(int slot, long id, long offset, ByteBuffer data, boolean fua, boolean now) {
        try {
            int status = Frame.OK;
            IOException error = null;
            try {
                target.write(offset, data, fua);
            } catch (NoSpaceException e) {
                status = Frame.ERR_NO_SPACE;
                error = e;
            } catch (OutOfRangeException e) {
                status = Frame.ERR_RANGE;
            } catch (IOException e) {
                LOG.warn("replica {}: WRITE failed: {}", replicaId, e.toString());
                status = Frame.ERR_IO;
                error = e;
            }
            if (error != null) {
                respondError(id, status, error, now);
            } else {
                respond(id, status, 0, null, now);
            }
        } catch (IOException | RuntimeException e) {
            // The answer could not be sent: the stream is broken; the reading thread ends on it.
            if (workerFailure == null) {
                workerFailure = e instanceof IOException io ? io : new IOException(e);
            }
            wire.closeQuietly();
        } finally {
            inFlight.end(slot);
        }
    }

    private void awaitIdle() throws IOException {
        try {
            inFlight.awaitIdle();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("waiting for running writes");
        }
        IOException wf = workerFailure;
        if (wf != null) {
            throw wf;
        }
    }

    private void hello() throws IOException {
        if (req.type != Frame.HELLO) {
            throw new ReplicationException(ReplicationException.Reason.PROTOCOL,
                    "expected HELLO, got " + Frame.typeName(req.type));
        }
        if (req.arg0 != Frame.PROTOCOL_VERSION) {
            respondError(req.id, Frame.ERR_PROTOCOL, new IOException("unsupported protocol version " + req.arg0));
            flush();
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
            respondError(req.id, Frame.ERR_NO_REPLICA, e);
            flush();
            throw new ReplicationException(ReplicationException.Reason.NO_SUCH_REPLICA, rid);
        }
        replicaId = rid;
        size = target.size();
        helloTimer.cancel(false);
        respond(req.id, Frame.OK, size, null, false);
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
                respond(req.id, Frame.OK, 0, dst, false);
            }
            case Frame.WRITE -> {
                if (!inRange(req.arg0, req.payloadLength)) {
                    respondRange();
                    return;
                }
                target.write(req.arg0, payload, fua);
                respond(req.id, Frame.OK, 0, null, false);
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
                respond(req.id, Frame.OK, 0, null, false);
            }
            case Frame.FLUSH -> {
                target.flush();
                respond(req.id, Frame.OK, 0, null, false);
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
        respond(req.id, Frame.OK, n, bitmap, false);
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
        respond(req.id, Frame.OK, n, null, false);
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
        respond(req.id, Frame.ERR_RANGE, 0, null, false);
    }

    private void respondError(long id, int status, IOException e) throws IOException {
        respondError(id, status, e, false);
    }

    private void respondError(long id, int status, IOException e, boolean now) throws IOException {
        String m = String.valueOf(e.getMessage());
        byte[] b = m.getBytes(StandardCharsets.UTF_8);
        respond(id, status, 0, ByteBuffer.wrap(b, 0, Math.min(b.length, 4096)), now);
    }

    /** Queues an answer; {@code now} sends it (and whatever else is queued) at once. */
    private void respond(long id, int status, long arg0, ByteBuffer body, boolean now) throws IOException {
        synchronized (writeLock) {
            resp.set(Frame.RESPONSE, status, id, arg0, 0);
            if (body != null) {
                resp.payloadLength = body.remaining();
                resp.payloadCrc = Frame.crc(body);
            }
            respHeader.clear();
            resp.encode(respHeader);
            respHeader.flip();
            wire.write(respHeader, body);
            if (now) {
                wire.flush();
            }
        }
    }

    private void flush() throws IOException {
        synchronized (writeLock) {
            wire.flush();
        }
    }

    private static ByteBuffer ensure(ByteBuffer b, int capacity) {
        if (b.capacity() >= capacity) {
            return b;
        }
        return ByteBuffer.allocateDirect(Math.max(capacity, b.capacity() * 2));
    }
}
