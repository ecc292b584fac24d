package dev.prescient.engine.replication;

import javax.net.ssl.SSLSocket;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * One connection's byte stream with read and write buffering. Plain TCP goes through a blocking
 * {@link SocketChannel} with direct buffers (the kernel copies straight from them; large payloads
 * bypass the staging buffers); TLS goes through an {@link SSLSocket}, whose encryption copies the
 * bytes anyway. Reading and writing may happen on two threads at once; each side on its own is
 * single-threaded (the callers hold a lock for writing).
 */
abstract class Wire implements Closeable {
    private static final int BUFFER = 256 * 1024;
    /** Payloads at most this large are copied into the write buffer to send header and data in one call. */
    private static final int COALESCE = 64 * 1024;

    private final ByteBuffer in = ByteBuffer.allocateDirect(BUFFER).flip();
    private final ByteBuffer out = ByteBuffer.allocateDirect(BUFFER);

    static Wire of(Socket socket) throws IOException {
        if (socket instanceof SSLSocket ssl) {
            return new StreamWire(ssl);
        }
        SocketChannel ch = socket.getChannel();
        if (ch == null) {
            return new StreamWire(socket);
        }
        return new ChannelWire(ch);
    }

    /** Reads at least one byte into dst; -1 at end of stream. */
    protected abstract int readSome(ByteBuffer dst) throws IOException;

    /** Writes all of src. */
    protected abstract void writeAll(ByteBuffer src) throws IOException;

    /** Bytes already received and buffered: a server uses this to decide when to flush answers. */
    int buffered() {
        return in.remaining();
    }

    /** Bytes received but not read yet by the kernel's count (one ioctl); 0 if it cannot tell. */
    protected abstract int availableInKernel() throws IOException;

    /** True when more of the stream is already here: buffered, or waiting in the socket. */
    boolean moreWaiting() throws IOException {
        return in.hasRemaining() || availableInKernel() > 0;
    }

    /** Fills dst completely from the stream. */
    void readFully(ByteBuffer dst) throws IOException {
        while (dst.hasRemaining()) {
            if (in.hasRemaining()) {
                int n = Math.min(in.remaining(), dst.remaining());
                int lim = in.limit();
                in.limit(in.position() + n);
                dst.put(in);
                in.limit(lim);
            } else if (dst.remaining() >= COALESCE) {
                // Large payloads go straight into the destination, no staging copy.
                if (readSome(dst) < 0) {
                    throw new EOFException("connection closed by peer");
                }
            } else {
                in.clear();
                int n;
                try {
                    n = readSome(in);
                } finally {
                    in.flip();
                }
                if (n < 0) {
                    throw new EOFException("connection closed by peer");
                }
            }
        }
    }

    /** Queues header and payload (payload may be null); sends large payloads at once. */
    void write(ByteBuffer header, ByteBuffer payload) throws IOException {
        int plen = payload == null ? 0 : payload.remaining();
        if (out.remaining() < header.remaining() + Math.min(plen, COALESCE)) {
            flush();
        }
        out.put(header);
        if (plen == 0) {
            return;
        }
        if (plen <= COALESCE) {
            out.put(payload.duplicate());
        } else {
            flush();
            writeAll(payload.duplicate());
        }
    }

    /** Closes the stream, which also ends a read or write blocked on it; errors are moot then. */
    void closeQuietly() {
        try {
            close();
        } catch (IOException ignored) {
            // closing a broken stream
        }
    }

    /** Sends everything queued. */
    void flush() throws IOException {
        if (out.position() > 0) {
            out.flip();
            try {
                writeAll(out);
            } finally {
                out.clear();
            }
        }
    }

    private static final class ChannelWire extends Wire {
        private final SocketChannel ch;

        private final InputStream available;

        ChannelWire(SocketChannel ch) throws IOException {
            this.ch = ch;
            // Only asked how much is waiting (FIONREAD); all reads go through the channel.
            this.available = ch.socket().getInputStream();
        }

        @Override
        protected int availableInKernel() throws IOException {
            return available.available();
        }

        @Override
        protected int readSome(ByteBuffer dst) throws IOException {
            return ch.read(dst);
        }

        @Override
        protected void writeAll(ByteBuffer src) throws IOException {
            while (src.hasRemaining()) {
                ch.write(src);
            }
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    }

    private static final class StreamWire extends Wire {
        private final Socket socket;
        private final InputStream is;
        private final OutputStream os;
        private final byte[] rbuf = new byte[64 * 1024];
        private final byte[] wbuf = new byte[64 * 1024];

        StreamWire(Socket socket) throws IOException {
            this.socket = socket;
            this.is = socket.getInputStream();
            this.os = socket.getOutputStream();
        }

        @Override
        protected int availableInKernel() throws IOException {
            return is.available();
        }

        @Override
        protected int readSome(ByteBuffer dst) throws IOException {
            int n = is.read(rbuf, 0, Math.min(rbuf.length, dst.remaining()));
            if (n > 0) {
                dst.put(rbuf, 0, n);
            }
            return n;
        }

        @Override
        protected void writeAll(ByteBuffer src) throws IOException {
            while (src.hasRemaining()) {
                int n = Math.min(wbuf.length, src.remaining());
                src.get(wbuf, 0, n);
                os.write(wbuf, 0, n);
            }
            os.flush();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
