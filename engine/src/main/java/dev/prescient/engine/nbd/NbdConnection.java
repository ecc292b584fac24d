package dev.prescient.engine.nbd;

import static dev.prescient.engine.nbd.NbdProtocol.*;

import dev.prescient.engine.BlockTarget;
import dev.prescient.engine.heat.IoOp;
import dev.prescient.engine.tls.TlsConfig;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: handshake and option haggling ({@link NbdHandshake}), then transmission:
 * requests are read from {@link NbdInput} and validated here, run by {@link NbdCommands}, and
 * their replies go out through {@link NbdReplies}. Any protocol
 * violation that leaves the stream out of sync closes the connection; a bad request whose
 * framing is intact gets an error reply. No request is executed unless fully validated.
 *
 * <p>Memory is bounded whatever the client does: buffers come from the server's budgeted pool
 * and from this connection's own budget, a WRITE payload is taken into a buffer only once its
 * first bytes arrived, payloads and READ replies larger than {@link BufferPool#PIECE} are streamed
 * piece by piece, and a request that finds no budget is answered ENOMEM (its payload is read
 * and dropped, so the stream stays in sync). The server's watchdog closes connections that stall
 * (see {@link #overdue}).
 *
 * <p>After STARTTLS ({@link NbdHandshake}) the same stream runs over {@link TlsChannel}.
 */
final class NbdConnection {
    private static final Logger LOG = LoggerFactory.getLogger(NbdConnection.class);
    private static final int MAX_IN_FLIGHT = 128;

    private final NbdServer server;
    private final SocketChannel ch;
    /** The request stream, read by one serving thread at a time (under readLock). */
    private final NbdInput input;
    /** Writes the replies; also the handshake's answers. */
    private final NbdReplies replies;
    /** Non-null on a listener that requires TLS. */
    private final TlsConfig tls;
    private final String where;
    private final ByteBuffer reqHeader = ByteBuffer.allocate(28);
    private final Semaphore budget;
    private final long waitMillis;
    private final long acceptedAt = System.nanoTime();
    private volatile boolean attached;
    private final Object readLock = new Object();
    private volatile boolean disconnecting;
    private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
    private NbdExport export;
    /** Runs the requests once attached. */
    private NbdCommands commands;
    private volatile boolean dead;

    NbdConnection(NbdServer server, SocketChannel ch, String where, TlsConfig tlsOrNull) {
        this.server = server;
        this.ch = ch;
        this.input = new NbdInput(ch, acceptedAt);
        this.replies = new NbdReplies(ch);
        this.tls = tlsOrNull;
        this.where = where;
        NbdLimits limits = server.limits();
        this.budget = new Semaphore((int) Math.min(Integer.MAX_VALUE, limits.connectionBytes()));
        this.waitMillis = limits.allocWaitMillis();
    }

    String where() {
        return where;
    }

    /** Why the watchdog should close this connection now, or null. */
    String overdue(long now, NbdLimits limits) {
        if (!attached && now - acceptedAt > limits.handshakeMillis() * 1_000_000L) {
            return "no handshake within " + limits.handshakeMillis() + " ms";
        }
        long w = replies.writingSince();
        if (w != 0 && now - w > limits.stallMillis() * 1_000_000L) {
            return "client took no reply data for " + limits.stallMillis() + " ms (export " + exportName() + ")";
        }
        long r = input.readWaitSince();
        if (r != 0 && now - r > limits.stallMillis() * 1_000_000L) {
            return "request stalled half received for " + limits.stallMillis() + " ms (export " + exportName() + ")";
        }
        if (attached && limits.idleMillis() > 0 && r == 0 && w == 0 && inFlight.availablePermits() == MAX_IN_FLIGHT
                && now - input.lastRead() > limits.idleMillis() * 1_000_000L) {
            return "idle for " + limits.idleMillis() + " ms (export " + exportName() + ")";
        }
        return null;
    }

    void abort() {
        dead = true;
        try {
            ch.close();
        } catch (IOException ignored) {
            // closing a broken socket has nothing left to report
        }
    }

    void run() {
        try {
            NbdHandshake hs = new NbdHandshake(this, server, ch, tls);
            if (hs.run()) {
                export = hs.export();
                commands = new NbdCommands(this, replies, export);
                attached = true;
                ByteBuffer readAhead = take(NbdInput.IN_BUFFER);
                if (readAhead == null) {
                    server.noMemory();
                    LOG.warn("closing NBD connection on {} (export {}): no buffer memory for it", where, exportName());
                    return;
                }
                input.attach(readAhead);
                transmission();
            }
        } catch (EOFException e) {
            LOG.debug("client on {} went away", where);
        } catch (ProtocolException e) {
            LOG.warn("closing NBD connection on {} (export {}): {}", where, exportName(), e.getMessage());
        } catch (IOException e) {
            if (!dead) {
                LOG.debug("NBD connection on {} failed: {}", where, e.toString());
            }
        } catch (RuntimeException | Error e) {
            LOG.warn("NBD connection on {} (export {}) failed: {}", where, exportName(), e.toString());
        } finally {
            // Let in-flight requests finish before the socket goes (DISC semantics).
            inFlight.acquireUninterruptibly(MAX_IN_FLIGHT);
            abort();
            ByteBuffer readAhead = input.detach();
            if (readAhead != null) {
                give(readAhead);
            }
        }
    }

    /** A buffer charged to this connection's and the server's budget, or null (answer ENOMEM). */
    ByteBuffer take(int len) {
        int size = BufferPool.sizeFor(len);
        try {
            if (!budget.tryAcquire(size, waitMillis, TimeUnit.MILLISECONDS)) {
                return null;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
        ByteBuffer b = server.buffers.acquire(len);
        if (b == null) {
            budget.release(size);
        }
        return b;
    }

    void give(ByteBuffer b) {
        int size = b.capacity();
        server.buffers.release(b);
        budget.release(size);
    }

    /** A request ended (answered, its buffers given back): one more may run. */
    void requestDone() {
        inFlight.release();
    }

    void noMemory() {
        server.noMemory();
    }

    /** Names from clients can be 4 KiB or garbage: logs and messages show a short, safe prefix. */
    static String shown(String name) {
        String s = name.length() > 64 ? name.substring(0, 64) + "..." : name;
        return s.replaceAll("[^\\x20-\\x7e]", "?");
    }

    private String exportName() {
        return export == null ? "-" : export.name();
    }

    /** After STARTTLS: the rest of the stream runs over TLS. */
    void useTls(TlsChannel t) {
        input.useChannel(t);
        replies.useChannel(t);
    }

    /** A violation that leaves the stream unusable: the connection is closed. */
    static final class ProtocolException extends IOException {
        ProtocolException(String reason) {
            super(reason);
        }
    }

    // ---------------------------------------------------------------- transmission

    /** One parsed request; each serving thread reuses its own. */
    private static final class Request {
        long handle;
        int type;
        int flags;
        long offset;
        long length;
        ByteBuffer buf;
    }

    /**
     * Several threads serve one connection, each in turn reading one request under the read lock
     * and then executing it and replying on its own: requests pipeline without a hand-off to
     * another thread per request (which costs two context switches on a small machine).
     */
    private void transmission() throws IOException {
        LOG.debug("client on {} attached to export {}", where, export.name());
        int n = Math.max(1, server.threadsPerConnection());
        List<CompletableFuture<Void>> helpers = new ArrayList<>(n - 1);
        IOException[] failure = new IOException[1];
        for (int i = 0; i < n - 1; i++) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            try {
                server.threads().execute(() -> {
                    try {
                        serveLoop();
                    } catch (IOException e) {
                        synchronized (failure) {
                            failure[0] = failure[0] == null ? e : failure[0];
                        }
                    } finally {
                        done.complete(null);
                    }
                });
            } catch (RejectedExecutionException e) {
                break; // the server is closing: serve with the threads there are
            }
            helpers.add(done);
        }
        IOException mine = null;
        try {
            serveLoop();
        } catch (IOException e) {
            mine = e;
        }
        for (CompletableFuture<Void> h : helpers) {
            try {
                h.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (ExecutionException e) {
                // serveLoop's own failures are collected above; nothing else completes exceptionally
            }
        }
        if (mine != null) {
            throw mine;
        }
        synchronized (failure) {
            if (failure[0] != null) {
                throw failure[0];
            }
        }
    }

    private void serveLoop() throws IOException {
        Request r = new Request();
        while (true) {
            synchronized (readLock) {
                if (dead || disconnecting) {
                    return;
                }
                try {
                    if (!readOne(r)) {
                        disconnecting = true; // DISC: the others finish what they run, then stop
                        return;
                    }
                } catch (IOException e) {
                    disconnecting = true;
                    throw e;
                } catch (RuntimeException | Error e) {
                    disconnecting = true;
                    throw new IOException("reading a request: " + e, e);
                }
            }
            if (r.type >= 0) {
                inFlight.acquireUninterruptibly();
                commands.execute(r.handle, r.type, r.flags, r.offset, r.length, r.buf);
            }
        }
    }

    /** Reads and validates one request; r.type is -1 when it was answered already. */
    private boolean readOne(Request r) throws IOException {
        long size = export.target().size();
        r.type = -1;
        r.buf = null;
        reqHeader.clear();
        input.readHeader(reqHeader);
        reqHeader.flip();
        if (reqHeader.getInt() != REQUEST_MAGIC) {
            throw new ProtocolException("bad request magic");
        }
        int flags = Short.toUnsignedInt(reqHeader.getShort());
        int type = Short.toUnsignedInt(reqHeader.getShort());
        long handle = reqHeader.getLong();
        long offset = reqHeader.getLong();
        long length = Integer.toUnsignedLong(reqHeader.getInt());
        boolean inRange = offset >= 0 && offset <= size - length;
        ByteBuffer buf = null;
        int err;
        switch (type) {
            case CMD_DISC -> {
                return false;
            }
            case CMD_WRITE -> {
                if (length > MAX_PAYLOAD) {
                    // The payload cannot be skipped safely at this size: close, as the spec allows.
                    throw new ProtocolException("write of " + length + " bytes exceeds " + MAX_PAYLOAD);
                }
                err = (flags & ~CMD_FLAG_FUA) != 0 ? EINVAL : export.readOnly() ? EPERM : !inRange ? EINVAL : 0;
                if (err != 0) {
                    input.discard(length);
                    replies.send(handle, err, null);
                    return true;
                }
                if (length > BufferPool.PIECE) {
                    streamWrite(handle, flags, offset, length);
                    return true;
                }
                if (length > 0) {
                    input.awaitData(); // a header with no payload behind it holds no buffer
                }
                buf = take((int) length);
                if (buf == null) {
                    input.discard(length);
                    server.noMemory();
                    replies.send(handle, ENOMEM, null);
                    return true;
                }
                try {
                    input.readFully(buf);
                } catch (IOException | RuntimeException | Error e) {
                    give(buf);
                    throw e;
                }
                buf.flip();
            }
            case CMD_READ -> err = length > MAX_PAYLOAD || !inRange || (flags & ~CMD_FLAG_FUA) != 0 ? EINVAL : 0;
            case CMD_FLUSH -> {
                err = 0;
                offset = 0;
                length = 0;
            }
            case CMD_TRIM, CMD_WRITE_ZEROES -> {
                int allowed = CMD_FLAG_FUA | (type == CMD_WRITE_ZEROES ? CMD_FLAG_NO_HOLE : 0);
                err = (flags & ~allowed) != 0 ? EINVAL : export.readOnly() ? EPERM : !inRange ? EINVAL : 0;
            }
            default -> err = EINVAL;
        }
        if (err != 0) {
            replies.send(handle, err, null);
            return true;
        }
        r.handle = handle;
        r.type = type;
        r.flags = flags;
        r.offset = offset;
        r.length = length;
        r.buf = buf;
        return true;
    }

    /**
     * A WRITE larger than one piece: received and written piece by piece by the reading thread, so
     * it holds one piece of memory however large it is and however slowly its payload comes. On an
     * error the rest of the payload is still read (and dropped) to keep the stream in sync; NBD
     * leaves the content of a failed write's range unspecified. Known shortcut: a client that hangs
     * up in the middle of such a payload leaves the pieces that arrived written (an unacknowledged
     * write, which may land partly just as after a crash); writes up to one piece, which is what
     * kernel and libnbd clients send, are all or nothing.
     */
    private void streamWrite(long handle, int flags, long offset, long length) throws IOException {
        inFlight.acquireUninterruptibly();
        BlockTarget target = export.target();
        long t0 = System.nanoTime();
        int err = 0;
        ByteBuffer piece = null;
        try {
            input.awaitData();
            piece = take(BufferPool.PIECE);
            if (piece == null) {
                input.discard(length);
                server.noMemory();
                err = ENOMEM;
            } else {
                for (long done = 0; done < length; ) {
                    int n = (int) Math.min(BufferPool.PIECE, length - done);
                    piece.clear().limit(n);
                    input.readFully(piece);
                    piece.flip();
                    if (err == 0) {
                        try {
                            target.write(offset + done, piece, false);
                        } catch (IOException | RuntimeException | OutOfMemoryError e) {
                            err = commands.errno(e, IoOp.WRITE, offset, length);
                        }
                    }
                    done += n;
                }
                if (err == 0 && (flags & CMD_FLAG_FUA) != 0) {
                    try {
                        target.flush();
                    } catch (IOException | RuntimeException | OutOfMemoryError e) {
                        err = commands.errno(e, IoOp.WRITE, offset, length);
                    }
                }
            }
            replies.send(handle, err, null);
        } finally {
            if (piece != null) {
                give(piece);
            }
            inFlight.release();
            export.listener().onIo(export.consumer(), IoOp.WRITE, offset, length, System.nanoTime() - t0, err);
        }
    }

    // ---------------------------------------------------------------- handshake plumbing

    ByteBuffer readN(int n) throws IOException {
        return input.readN(n);
    }

    void writeFully(ByteBuffer b) throws IOException {
        replies.writeFully(b);
    }
}
