package dev.prescient.engine.nbd;

import static dev.prescient.engine.nbd.NbdProtocol.SIMPLE_REPLY_MAGIC;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;

/**
 * How one connection's replies get onto the wire: several threads finish requests at once and
 * each reply must go out whole. Replies without data are batched ({@link #noData}); replies with
 * data are written under the write lock ({@link #send}); a READ larger than one piece writes its
 * header and then its pieces under the lock ({@link #streamed}). Also tracks since when a write
 * has made no progress, for the server's watchdog (a client that stopped taking replies).
 */
final class NbdReplies {
    /** Bytes of replies without data that may wait for the thread writing replies (16 each). */
    private static final int REPLY_BATCH = 16 * 128;

    /** The socket, or TLS over it after STARTTLS. */
    private volatile GatheringByteChannel writer;
    private final Object writeLock = new Object();
    private final ByteBuffer replyHeader = ByteBuffer.allocate(16);
    // Replies without data wait here for the thread that is writing replies (see noData).
    private final Object batchLock = new Object();
    private ByteBuffer batch;
    private ByteBuffer sending;
    private boolean flushing;
    /** nanoTime of the last progress of a reply being written; 0 when none is. */
    private volatile long writeSince;

    NbdReplies(GatheringByteChannel writer) {
        this.writer = writer;
    }

    /** After STARTTLS: replies go through TLS. */
    void useChannel(GatheringByteChannel w) {
        writer = w;
    }

    /** nanoTime since which a reply write has not progressed; 0 when none is under way. */
    long writingSince() {
        return writeSince;
    }

    /** The rest of a streamed reply, written by the caller while it holds the write lock. */
    @FunctionalInterface
    interface Body {
        void write() throws IOException;
    }

    /** A successful reply whose data {@code body} writes (with {@link #writeFully}) after the header. */
    void streamed(long handle, Body body) throws IOException {
        synchronized (writeLock) {
            replyHeader.clear();
            replyHeader.putInt(SIMPLE_REPLY_MAGIC).putInt(0).putLong(handle).flip();
            writeFully(replyHeader);
            body.write();
        }
    }

    /**
     * A reply without data (WRITE, FLUSH, TRIM, errors), combined with the others that finish at
     * the same time: it is queued, and the thread already writing replies sends it along with its
     * own in one write; only when none is writing does this thread write, and it keeps writing
     * until the queue is empty. Measured (4 KiB random writes at QD16, issue 19): one write(2) per
     * reply, and serving threads blocking on the write lock behind each other's replies, instead of
     * going back to read the next request.
     */
    void noData(long handle, int error) throws IOException {
        synchronized (batchLock) {
            if (batch == null) {
                batch = ByteBuffer.allocateDirect(REPLY_BATCH);
                sending = ByteBuffer.allocateDirect(REPLY_BATCH);
            }
            while (batch.remaining() < 16) {
                // A whole batch queued behind a write that does not progress (a client that does
                // not read): wait, as a thread waited for the write lock before.
                try {
                    batchLock.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("waiting to queue an NBD reply");
                }
            }
            batch.putInt(SIMPLE_REPLY_MAGIC).putInt(error).putLong(handle);
            if (flushing) {
                return; // the thread writing now sends it before it stops
            }
            flushing = true;
        }
        boolean done = false;
        try {
            while (true) {
                ByteBuffer out;
                synchronized (batchLock) {
                    if (batch.position() == 0) {
                        flushing = false;
                        done = true;
                        return;
                    }
                    out = batch;
                    batch = sending;
                    sending = out;
                    batchLock.notifyAll();
                }
                out.flip();
                try {
                    synchronized (writeLock) {
                        writeFully(out);
                    }
                } finally {
                    out.clear();
                }
            }
        } finally {
            if (!done) {
                synchronized (batchLock) {
                    flushing = false;
                    batch.clear(); // the connection is lost; nobody waits for these replies any more
                    batchLock.notifyAll();
                }
            }
        }
    }

    /** A reply, with {@code data} for a successful READ (null for none), written at once. */
    void send(long handle, int error, ByteBuffer data) throws IOException {
        synchronized (writeLock) {
            replyHeader.clear();
            replyHeader.putInt(SIMPLE_REPLY_MAGIC).putInt(error).putLong(handle).flip();
            if (data == null) {
                writeFully(replyHeader);
            } else {
                ByteBuffer[] v = {replyHeader, data};
                writeSince = System.nanoTime();
                try {
                    while (replyHeader.hasRemaining() || data.hasRemaining()) {
                        if (writer.write(v) > 0) {
                            writeSince = System.nanoTime();
                        }
                    }
                } finally {
                    writeSince = 0;
                }
            }
        }
    }

    /** Writes all of {@code b}; the caller holds the write lock or owns the stream (handshake). */
    void writeFully(ByteBuffer b) throws IOException {
        writeSince = System.nanoTime();
        try {
            while (b.hasRemaining()) {
                if (writer.write(b) > 0) {
                    writeSince = System.nanoTime();
                }
            }
        } finally {
            writeSince = 0;
        }
    }
}
