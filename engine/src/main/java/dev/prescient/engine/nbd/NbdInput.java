package dev.prescient.engine.nbd;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/**
 * The request stream of one NBD connection: the socket (or TLS over it after STARTTLS) read
 * through a read-ahead buffer, and what the server's watchdog needs to know about it (when data
 * last came, and since when a half-received request has waited). Used by one reading thread at a
 * time (the connection's read lock); the two times are read by the watchdog.
 */
final class NbdInput {
    static final int IN_BUFFER = 256 << 10;

    /** The byte stream: the socket itself, or TLS over it after STARTTLS. */
    private ReadableByteChannel reader;
    /** Read-ahead of the stream; null during the handshake, which reads unbuffered. */
    private ByteBuffer in;
    /** Once set (after the handshake), a wait inside a request counts as a stall for the watchdog. */
    private volatile boolean attached;
    /** nanoTime when a read of a half-received request started waiting; 0 when none waits. */
    private volatile long readWaitSince;
    private volatile long lastRead;

    NbdInput(ReadableByteChannel reader, long createdAt) {
        this.reader = reader;
        this.lastRead = createdAt;
    }

    /** After STARTTLS: the rest of the stream runs over TLS. */
    void useChannel(ReadableByteChannel r) {
        reader = r;
    }

    /** Transmission starts: reads go through {@code readAhead} (empty, from the pool) from now on. */
    void attach(ByteBuffer readAhead) {
        in = readAhead;
        in.flip();
        attached = true;
    }

    /** The read-ahead buffer, for the connection to give back to the pool; null once taken. */
    ByteBuffer detach() {
        ByteBuffer b = in;
        in = null;
        return b;
    }

    long readWaitSince() {
        return readWaitSince;
    }

    long lastRead() {
        return lastRead;
    }

    ByteBuffer readN(int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        readFully(b);
        return b.flip();
    }

    /** Reads the next request header: waiting for its first byte is idleness, not a stall. */
    void readHeader(ByteBuffer header) throws IOException {
        read(header, true);
    }

    void readFully(ByteBuffer b) throws IOException {
        read(b, false);
    }

    /**
     * Reads through a buffer: with several requests pipelined, one read(2) fetches many headers
     * and small payloads, instead of two system calls per request. Large payloads bypass it.
     * During the handshake there is no buffer yet and reads go straight to {@code b}.
     */
    private void read(ByteBuffer b, boolean header) throws IOException {
        while (b.hasRemaining()) {
            if (in != null && in.hasRemaining()) {
                int n = Math.min(in.remaining(), b.remaining());
                int lim = in.limit();
                in.limit(in.position() + n);
                b.put(in);
                in.limit(lim);
            } else {
                // Waiting for the first byte of the next header is idleness; any other wait is a
                // request half received, which the watchdog closes if it stalls.
                boolean partial = !header || b.position() > 0;
                if (in == null || b.remaining() >= IN_BUFFER / 2) {
                    if (readChannel(b, partial) < 0) {
                        throw new EOFException();
                    }
                } else {
                    fill(partial);
                }
            }
        }
    }

    /** Refills the (empty) read-ahead buffer with at least one byte. */
    private void fill(boolean partial) throws IOException {
        in.clear();
        int n = readChannel(in, partial);
        in.flip();
        if (n < 0) {
            throw new EOFException();
        }
    }

    private int readChannel(ByteBuffer dst, boolean partial) throws IOException {
        if (partial && attached) {
            readWaitSince = System.nanoTime();
        }
        try {
            int n = reader.read(dst);
            if (n > 0) {
                lastRead = System.nanoTime();
            }
            return n;
        } finally {
            readWaitSince = 0;
        }
    }

    /** Blocks until some payload is here, so that no buffer is taken for data that never comes. */
    void awaitData() throws IOException {
        if (!in.hasRemaining()) {
            fill(true);
        }
    }

    /** Reads and drops a payload that will not be used, keeping the stream in sync. */
    void discard(long length) throws IOException {
        for (long left = length; left > 0; ) {
            if (!in.hasRemaining()) {
                fill(true);
            }
            int n = (int) Math.min(left, in.remaining());
            in.position(in.position() + n);
            left -= n;
        }
    }
}
