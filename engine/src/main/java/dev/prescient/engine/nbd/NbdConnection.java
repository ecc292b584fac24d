package dev.prescient.engine.nbd;

import static dev.prescient.engine.nbd.NbdProtocol.*;

import dev.prescient.engine.BlockTarget;
import dev.prescient.engine.NoSpaceException;
import dev.prescient.engine.OutOfRangeException;
import dev.prescient.engine.heat.IoOp;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: handshake and option haggling, then transmission. Any protocol
 * violation that leaves the stream out of sync closes the connection; a bad request whose
 * framing is intact gets an error reply. No request is executed unless fully validated.
 */
final class NbdConnection {
    private static final Logger LOG = LoggerFactory.getLogger(NbdConnection.class);
    private static final int MAX_IN_FLIGHT = 128;
    private static final ByteBuffer ZEROES = ByteBuffer.allocateDirect(1 << 20).asReadOnlyBuffer();

    private final NbdServer server;
    private final SocketChannel ch;
    private final String where;
    private static final int IN_BUFFER = 256 << 10;
    private final ByteBuffer reqHeader = ByteBuffer.allocateDirect(28);
    private final ByteBuffer in = ByteBuffer.allocateDirect(IN_BUFFER).flip();
    private final ByteBuffer replyHeader = ByteBuffer.allocateDirect(16);
    private final Object writeLock = new Object();
    private final Object readLock = new Object();
    private volatile boolean disconnecting;
    private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
    private boolean noZeroes;
    private boolean fixed;
    private NbdExport export;
    private volatile boolean dead;

    NbdConnection(NbdServer server, SocketChannel ch, String where) {
        this.server = server;
        this.ch = ch;
        this.where = where;
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
            if (handshake()) {
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
        } finally {
            // Let in-flight requests finish before the socket goes (DISC semantics).
            inFlight.acquireUninterruptibly(MAX_IN_FLIGHT);
            abort();
        }
    }

    private String exportName() {
        return export == null ? "-" : export.name();
    }

    /** A violation that leaves the stream unusable: the connection is closed. */
    static final class ProtocolException extends IOException {
        ProtocolException(String reason) {
            super(reason);
        }
    }

    // ---------------------------------------------------------------- handshake

    private boolean handshake() throws IOException {
        ByteBuffer hello = ByteBuffer.allocate(18);
        hello.putLong(NBDMAGIC).putLong(IHAVEOPT).putShort((short) (FLAG_FIXED_NEWSTYLE | FLAG_NO_ZEROES)).flip();
        writeFully(hello);
        int clientFlags = readN(4).getInt();
        if ((clientFlags & ~(FLAG_FIXED_NEWSTYLE | FLAG_NO_ZEROES)) != 0) {
            throw new ProtocolException("unknown client flags " + Integer.toHexString(clientFlags));
        }
        fixed = (clientFlags & FLAG_FIXED_NEWSTYLE) != 0;
        noZeroes = (clientFlags & FLAG_NO_ZEROES) != 0;
        while (true) {
            ByteBuffer h = readN(16);
            if (h.getLong() != IHAVEOPT) {
                throw new ProtocolException("bad option magic");
            }
            int opt = h.getInt();
            long len = Integer.toUnsignedLong(h.getInt());
            if (len > MAX_OPTION) {
                throw new ProtocolException("option " + opt + " length " + len + " too large");
            }
            ByteBuffer data = readN((int) len);
            switch (opt) {
                case OPT_EXPORT_NAME -> {
                    String name = StandardCharsets.UTF_8.decode(data).toString();
                    NbdExport e = server.export(name);
                    if (e == null) {
                        throw new ProtocolException("unknown export '" + name + "' (EXPORT_NAME)");
                    }
                    export = e;
                    ByteBuffer r = ByteBuffer.allocate(noZeroes ? 10 : 134);
                    r.putLong(e.target().size()).putShort((short) transmissionFlags(e));
                    writeFully(r.position(r.capacity()).flip());
                    return true;
                }
                case OPT_ABORT -> {
                    optReply(opt, REP_ACK, null);
                    return false;
                }
                case OPT_LIST -> {
                    if (len != 0) {
                        optError(opt, REP_ERR_INVALID, "LIST takes no data");
                        break;
                    }
                    for (NbdExport e : server.exports()) {
                        byte[] n = e.name().getBytes(StandardCharsets.UTF_8);
                        ByteBuffer r = ByteBuffer.allocate(4 + n.length).putInt(n.length).put(n);
                        optReply(opt, REP_SERVER, r.flip());
                    }
                    optReply(opt, REP_ACK, null);
                }
                case OPT_INFO, OPT_GO -> {
                    if (infoOrGo(opt, data)) {
                        return true;
                    }
                }
                default -> {
                    if (!fixed) {
                        throw new ProtocolException("unsupported option " + opt + " from a non-fixed client");
                    }
                    optError(opt, REP_ERR_UNSUP, "option " + opt + " not supported");
                }
            }
        }
    }

    private boolean infoOrGo(int opt, ByteBuffer data) throws IOException {
        if (data.remaining() < 6) {
            optError(opt, REP_ERR_INVALID, "short INFO/GO request");
            return false;
        }
        long nameLen = Integer.toUnsignedLong(data.getInt());
        if (nameLen > data.remaining() - 2) {
            optError(opt, REP_ERR_INVALID, "name length beyond option data");
            return false;
        }
        byte[] nb = new byte[(int) nameLen];
        data.get(nb);
        int nreq = Short.toUnsignedInt(data.getShort());
        if (data.remaining() != nreq * 2) {
            optError(opt, REP_ERR_INVALID, "information request count does not match length");
            return false;
        }
        boolean wantName = false;
        boolean wantDesc = false;
        boolean wantBlock = false;
        for (int i = 0; i < nreq; i++) {
            switch (data.getShort()) {
                case INFO_NAME -> wantName = true;
                case INFO_DESCRIPTION -> wantDesc = true;
                case INFO_BLOCK_SIZE -> wantBlock = true;
                default -> { } // unknown requests are ignored, as the spec says
            }
        }
        String name = new String(nb, StandardCharsets.UTF_8);
        NbdExport e = server.export(name);
        if (e == null) {
            optError(opt, REP_ERR_UNKNOWN, "no export named '" + name + "'");
            return false;
        }
        ByteBuffer info = ByteBuffer.allocate(12);
        info.putShort((short) INFO_EXPORT).putLong(e.target().size()).putShort((short) transmissionFlags(e));
        optReply(opt, REP_INFO, info.flip());
        if (wantName) {
            byte[] n = e.name().getBytes(StandardCharsets.UTF_8);
            optReply(opt, REP_INFO, ByteBuffer.allocate(2 + n.length).putShort((short) INFO_NAME).put(n).flip());
        }
        if (wantDesc) {
            byte[] d = e.description().getBytes(StandardCharsets.UTF_8);
            optReply(opt, REP_INFO, ByteBuffer.allocate(2 + d.length).putShort((short) INFO_DESCRIPTION).put(d).flip());
        }
        if (wantBlock) {
            optReply(opt, REP_INFO, ByteBuffer.allocate(14).putShort((short) INFO_BLOCK_SIZE)
                    .putInt(1).putInt(4096).putInt(MAX_PAYLOAD).flip());
        }
        optReply(opt, REP_ACK, null);
        if (opt == OPT_GO) {
            export = e;
            return true;
        }
        return false;
    }

    private static int transmissionFlags(NbdExport e) {
        int f = TF_HAS_FLAGS | TF_SEND_FLUSH | TF_SEND_FUA | TF_SEND_TRIM | TF_SEND_WRITE_ZEROES;
        if (e.readOnly()) {
            f |= TF_READ_ONLY;
        }
        if (e.multiConn()) {
            f |= TF_CAN_MULTI_CONN;
        }
        return f;
    }

    private void optReply(int opt, int type, ByteBuffer data) throws IOException {
        int len = data == null ? 0 : data.remaining();
        ByteBuffer h = ByteBuffer.allocate(20 + len);
        h.putLong(REPLY_MAGIC).putInt(opt).putInt(type).putInt(len);
        if (data != null) {
            h.put(data);
        }
        writeFully(h.flip());
    }

    private void optError(int opt, int type, String message) throws IOException {
        optReply(opt, type, ByteBuffer.wrap(message.getBytes(StandardCharsets.UTF_8)));
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
        Thread[] helpers = new Thread[n - 1];
        IOException[] failure = new IOException[1];
        for (int i = 0; i < helpers.length; i++) {
            helpers[i] = new Thread(() -> {
                try {
                    serveLoop();
                } catch (IOException e) {
                    synchronized (failure) {
                        failure[0] = failure[0] == null ? e : failure[0];
                    }
                }
            }, Thread.currentThread().getName() + "-" + (i + 1));
            helpers[i].setDaemon(true);
            helpers[i].start();
        }
        IOException mine = null;
        try {
            serveLoop();
        } catch (IOException e) {
            mine = e;
        }
        for (Thread t : helpers) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
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
                } catch (IOException | RuntimeException e) {
                    disconnecting = true;
                    throw e;
                }
            }
            if (r.type >= 0) {
                inFlight.acquireUninterruptibly();
                execute(r.handle, r.type, r.flags, r.offset, r.length, r.buf);
            }
        }
    }

    /** Reads and validates one request; r.type is -1 when it was answered already. */
    private boolean readOne(Request r) throws IOException {
        long size = export.target().size();
        r.type = -1;
        r.buf = null;
        reqHeader.clear();
        readFully(reqHeader);
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
                buf = server.buffers.acquire((int) length);
                readFully(buf);
                buf.flip();
                err = (flags & ~CMD_FLAG_FUA) != 0 ? EINVAL : export.readOnly() ? EPERM : !inRange ? EINVAL : 0;
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
            if (buf != null) {
                server.buffers.release(buf);
            }
            reply(handle, err, null);
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

    private void execute(long handle, int type, int flags, long offset, long length, ByteBuffer buf) {
        BlockTarget target = export.target();
        long t0 = System.nanoTime();
        int err = 0;
        ByteBuffer data = buf;
        IoOp op = IoOp.FLUSH;
        try {
            boolean fua = (flags & CMD_FLAG_FUA) != 0;
            switch (type) {
                case CMD_READ -> {
                    op = IoOp.READ;
                    data = server.buffers.acquire((int) length);
                    target.read(offset, data);
                    data.flip();
                }
                case CMD_WRITE -> {
                    op = IoOp.WRITE;
                    target.write(offset, buf, fua);
                }
                case CMD_FLUSH -> target.flush();
                case CMD_TRIM -> {
                    op = IoOp.TRIM;
                    target.unmap(offset, length);
                    if (fua) {
                        target.flush();
                    }
                }
                case CMD_WRITE_ZEROES -> {
                    op = IoOp.WRITE_ZEROES;
                    if ((flags & CMD_FLAG_NO_HOLE) != 0) {
                        writeRealZeroes(target, offset, length, fua);
                    } else {
                        target.writeZeroes(offset, length, fua);
                    }
                }
                default -> err = EINVAL;
            }
        } catch (NoSpaceException e) {
            err = ENOSPC;
        } catch (OutOfRangeException e) {
            err = EINVAL;
        } catch (IOException | RuntimeException e) {
            LOG.warn("export {}: {} at {}+{} failed: {}", export.name(), op, offset, length, e.toString());
            err = EIO;
        }
        try {
            reply(handle, err, err == 0 && type == CMD_READ ? data : null);
        } catch (IOException e) {
            abort(); // the client is gone; the reader thread notices and ends
        } finally {
            if (data != null) {
                server.buffers.release(data);
            }
            inFlight.release();
            export.listener().onIo(export.consumer(), op, offset, length, System.nanoTime() - t0, err);
        }
    }

    /** NO_HOLE: the client asked for allocated zeroes, so write them instead of skipping holes. */
    private static void writeRealZeroes(BlockTarget target, long offset, long length, boolean fua) throws IOException {
        for (long p = 0; p < length; ) {
            int n = (int) Math.min(ZEROES.capacity(), length - p);
            ByteBuffer z = ZEROES.duplicate();
            z.limit(n);
            target.write(offset + p, z, false);
            p += n;
        }
        if (fua) {
            target.flush();
        }
    }

    private void reply(long handle, int error, ByteBuffer data) throws IOException {
        synchronized (writeLock) {
            replyHeader.clear();
            replyHeader.putInt(SIMPLE_REPLY_MAGIC).putInt(error).putLong(handle).flip();
            if (data == null) {
                writeFully(replyHeader);
            } else {
                ByteBuffer[] v = {replyHeader, data};
                while (replyHeader.hasRemaining() || data.hasRemaining()) {
                    ch.write(v);
                }
            }
        }
    }

    // ---------------------------------------------------------------- plumbing

    private ByteBuffer readN(int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        readFully(b);
        return b.flip();
    }

    /**
     * Reads through a buffer: with several requests pipelined, one read(2) fetches many headers
     * and small payloads, instead of two system calls per request. Large payloads bypass it.
     */
    private void readFully(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (in.hasRemaining()) {
                int n = Math.min(in.remaining(), b.remaining());
                int lim = in.limit();
                in.limit(in.position() + n);
                b.put(in);
                in.limit(lim);
            } else if (b.remaining() >= IN_BUFFER / 2) {
                if (ch.read(b) < 0) {
                    throw new EOFException();
                }
            } else {
                in.clear();
                int n = ch.read(in);
                in.flip();
                if (n < 0) {
                    throw new EOFException();
                }
            }
        }
    }

    private void writeFully(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }
}
