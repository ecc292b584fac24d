package dev.prescient.engine.nbd;

import static dev.prescient.engine.nbd.NbdProtocol.*;

import dev.prescient.engine.BlockTarget;
import dev.prescient.engine.NoSpaceException;
import dev.prescient.engine.OutOfRangeException;
import dev.prescient.engine.heat.IoOp;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the validated requests of one {@link NbdConnection} against its export's target and sends
 * their replies: one call per request, each ending with the request's buffer given back, its
 * in-flight permit released and its I/O reported to the export's listener, exactly once.
 *
 * <p>With {@link #REPLY_FROM_MEMBER} set, a WRITE is started with {@link BlockTarget#writeAsync}:
 * when the target finishes it in the background (a replica set waiting for a remote member's answer), the thread that learns of the
 * end (the replication reader) sends the NBD reply itself, and the serving thread goes back to
 * reading requests instead of sleeping until it is woken to reply. The reply still goes out only
 * once every in-sync member has the data (durably with FUA), so a FLUSH covers every write the
 * client saw answered; NBD lets replies come in any order.
 */
final class NbdCommands {
    private static final Logger LOG = LoggerFactory.getLogger(NbdCommands.class);
    private static final ByteBuffer ZEROES = ByteBuffer.allocateDirect(1 << 20).asReadOnlyBuffer();
    /** The switch of {@link #replyFromMember}; read when a connection attaches. */
    static final String REPLY_FROM_MEMBER = "prescient.nbd.replyFromMember";

    private final NbdConnection conn;
    private final NbdReplies replies;
    private final NbdExport export;
    /**
     * Whether a WRITE is answered by the thread that sees its last member's answer ({@code -D}{@value
     * #REPLY_FROM_MEMBER}{@code =true}) or, by default, by the serving thread once the write returns. Off by
     * default: the new path halves the futex calls per request, but same-session peer-io A/Bs on the loaded 2-core
     * machine showed the two-replica QD1 rows lower with it (engine README), so it stays a switch until a quieter
     * machine settles it.
     */
    private final boolean replyFromMember = Boolean.getBoolean(REPLY_FROM_MEMBER);

    NbdCommands(NbdConnection conn, NbdReplies replies, NbdExport export) {
        this.conn = conn;
        this.replies = replies;
        this.export = export;
    }

    /** Runs one request; its in-flight permit is held and {@code buf} (a WRITE's payload) charged to the connection. */
    void execute(long handle, int type, int flags, long offset, long length, ByteBuffer buf) {
        if (type == CMD_READ && length > BufferPool.PIECE) {
            streamRead(handle, offset, length);
            return;
        }
        BlockTarget target = export.target();
        long t0 = System.nanoTime();
        boolean fua = (flags & CMD_FLAG_FUA) != 0;
        if (type == CMD_WRITE && replyFromMember) {
            target.writeAsync(offset, buf, fua, failure -> {
                int err = failure == null ? 0 : errno(failure, IoOp.WRITE, offset, length);
                finish(handle, err, null, buf, IoOp.WRITE, offset, length, t0);
            });
            return;
        }
        int err = 0;
        ByteBuffer data = null;
        IoOp op = IoOp.FLUSH;
        try {
            switch (type) {
                case CMD_WRITE -> {
                    op = IoOp.WRITE;
                    data = buf;
                    target.write(offset, buf, fua);
                }
                case CMD_READ -> {
                    op = IoOp.READ;
                    data = conn.take((int) length);
                    if (data == null) {
                        conn.noMemory();
                        err = ENOMEM;
                    } else {
                        target.read(offset, data);
                        data.flip();
                    }
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
        } catch (IOException | RuntimeException | OutOfMemoryError e) {
            err = errno(e, op, offset, length);
        }
        finish(handle, err, err == 0 && type == CMD_READ ? data : null, data, op, offset, length, t0);
    }

    /** Replies (with {@code payload} when given), gives {@code buf} back, releases the permit, reports the I/O. */
    private void finish(long handle, int err, ByteBuffer payload, ByteBuffer buf, IoOp op, long offset, long length,
                        long t0) {
        try {
            if (payload != null) {
                replies.send(handle, err, payload);
            } else {
                replies.noData(handle, err);
            }
        } catch (IOException e) {
            conn.abort(); // the client is gone; the reader thread notices and ends
        } finally {
            ended(buf, op, offset, length, t0, err);
        }
    }

    /** The end of every request: its buffer back, its permit released, its I/O reported. */
    private void ended(ByteBuffer buf, IoOp op, long offset, long length, long t0, int err) {
        if (buf != null) {
            conn.give(buf);
        }
        conn.requestDone();
        export.listener().onIo(export.consumer(), op, offset, length, System.nanoTime() - t0, err);
    }

    /**
     * A READ larger than one piece: read and sent piece by piece under the write lock (a simple
     * reply must be contiguous). The first piece is read before the reply header, so a failing
     * target still gets a proper error reply; a failure after the header was sent can only be
     * reported by closing the connection.
     */
    private void streamRead(long handle, long offset, long length) {
        BlockTarget target = export.target();
        long t0 = System.nanoTime();
        int err = 0;
        ByteBuffer piece = conn.take(BufferPool.PIECE);
        try {
            if (piece == null) {
                conn.noMemory();
                err = ENOMEM;
                replies.send(handle, err, null);
                return;
            }
            try {
                target.read(offset, piece);
            } catch (IOException | RuntimeException | OutOfMemoryError e) {
                err = errno(e, IoOp.READ, offset, length);
                replies.send(handle, err, null);
                return;
            }
            piece.flip();
            ByteBuffer first = piece;
            int[] failed = {0};
            replies.streamed(handle, () -> {
                replies.writeFully(first);
                for (long done = BufferPool.PIECE; done < length; ) {
                    int n = (int) Math.min(BufferPool.PIECE, length - done);
                    first.clear().limit(n);
                    try {
                        target.read(offset + done, first);
                    } catch (IOException | RuntimeException | OutOfMemoryError e) {
                        failed[0] = errno(e, IoOp.READ, offset, length);
                        conn.abort(); // half a reply is out: closing is the only way left to say it failed
                        return;
                    }
                    first.flip();
                    replies.writeFully(first);
                    done += n;
                }
            });
            err = failed[0];
        } catch (IOException e) {
            conn.abort(); // the client is gone; the reader thread notices and ends
        } finally {
            ended(piece, IoOp.READ, offset, length, t0, err);
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

    /** The NBD error for a failed request (logged unless it is the client's or the tier's fault). */
    int errno(Throwable e, IoOp op, long offset, long length) {
        if (e instanceof NoSpaceException) {
            return ENOSPC;
        }
        if (e instanceof OutOfRangeException) {
            return EINVAL;
        }
        if (e instanceof OutOfMemoryError) {
            conn.noMemory();
            return ENOMEM;
        }
        LOG.warn("export {}: {} at {}+{} failed: {}", export.name(), op, offset, length, e.toString());
        return EIO;
    }
}
