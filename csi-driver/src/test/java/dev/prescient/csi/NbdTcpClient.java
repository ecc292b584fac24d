package dev.prescient.csi;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * A minimal NBD client for tests (fixed newstyle, NBD_OPT_GO, simple replies, one request at a
 * time): what a consumer of an engine export does, without a kernel driver or FUSE.
 */
final class NbdTcpClient implements AutoCloseable {
    private static final long IHAVEOPT = 0x49484156454F5054L;
    private static final int OPT_GO = 7;
    private static final int REP_ACK = 1;
    private static final int REQUEST_MAGIC = 0x25609513;
    private static final int SIMPLE_REPLY_MAGIC = 0x67446698;
    private final SocketChannel ch;
    private long handle;
    long size;

    private NbdTcpClient(SocketChannel ch) {
        this.ch = ch;
    }

    /** @param uri nbd://host:port as the node agent reports it */
    static NbdTcpClient connect(String uri, String export) throws IOException {
        URI u = URI.create(uri);
        SocketChannel ch = SocketChannel.open(new InetSocketAddress(u.getHost(), u.getPort()));
        ch.socket().setTcpNoDelay(true);
        NbdTcpClient c = new NbdTcpClient(ch);
        ByteBuffer greet = c.readN(18);
        if (greet.getLong(8) != IHAVEOPT) {
            throw new IOException("not a newstyle NBD server");
        }
        c.write(ByteBuffer.allocate(4).putInt(1 | 2).flip()); // fixed newstyle, no zeroes
        byte[] n = export.getBytes(StandardCharsets.UTF_8);
        ByteBuffer data = ByteBuffer.allocate(6 + n.length).putInt(n.length).put(n).putShort((short) 0).flip();
        c.write(ByteBuffer.allocate(16).putLong(IHAVEOPT).putInt(OPT_GO).putInt(data.remaining()).flip());
        c.write(data);
        while (true) {
            ByteBuffer h = c.readN(20);
            int type = h.getInt(12);
            ByteBuffer body = c.readN(h.getInt(16));
            if (type == 3 && body.getShort(0) == 0) {
                c.size = body.getLong(2);
            } else if (type == REP_ACK) {
                return c;
            } else if (type < 0) {
                ch.close();
                throw new IOException("NBD_OPT_GO refused: " + Integer.toHexString(type));
            }
        }
    }

    /** Returns the NBD error (0 = success). */
    int write(long offset, ByteBuffer data, boolean fua) throws IOException {
        return request(1, fua ? 1 : 0, offset, data.remaining(), data, 0);
    }

    int flush() throws IOException {
        return request(3, 0, 0, 0, null, 0);
    }

    ByteBuffer read(long offset, int length) throws IOException {
        int err = request(0, 0, offset, length, null, length);
        if (err != 0) {
            throw new IOException("NBD read error " + err);
        }
        return lastRead;
    }

    private ByteBuffer lastRead;

    private int request(int type, int flags, long offset, int length, ByteBuffer payload, int readLen)
            throws IOException {
        long h = ++handle;
        write(ByteBuffer.allocate(28).putInt(REQUEST_MAGIC).putShort((short) flags).putShort((short) type).putLong(h)
                .putLong(offset).putInt(length).flip());
        if (payload != null) {
            write(payload.duplicate());
        }
        ByteBuffer r = readN(16);
        if (r.getInt(0) != SIMPLE_REPLY_MAGIC || r.getLong(8) != h) {
            throw new IOException("bad NBD reply");
        }
        int err = r.getInt(4);
        if (err == 0 && readLen > 0) {
            lastRead = readN(readLen);
        }
        return err;
    }

    private void write(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    private ByteBuffer readN(int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new IOException("NBD server closed the connection");
            }
        }
        return b.flip();
    }

    @Override
    public void close() throws IOException {
        try {
            write(ByteBuffer.allocate(28).putInt(REQUEST_MAGIC).putShort((short) 0).putShort((short) 2)
                    .putLong(++handle).putLong(0).putInt(0).flip());
        } finally {
            ch.close();
        }
    }
}
