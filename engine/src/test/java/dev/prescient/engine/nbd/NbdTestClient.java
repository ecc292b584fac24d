package dev.prescient.engine.nbd;

import static dev.prescient.engine.nbd.NbdProtocol.*;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** A minimal synchronous NBD client for tests that need exact control over bytes on the wire. */
public final class NbdTestClient implements AutoCloseable {
    public final SocketChannel ch;
    public long size;
    public int transmissionFlags;
    private long nextHandle = 1;

    public record Reply(int error, long handle, ByteBuffer data) {
    }

    private NbdTestClient(SocketChannel ch) {
        this.ch = ch;
    }

    public static NbdTestClient connectRaw(Path socket) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(socket));
        return new NbdTestClient(ch);
    }

    public static NbdTestClient connectRaw(InetSocketAddress address) throws IOException {
        return new NbdTestClient(SocketChannel.open(address));
    }

    /** Connects and negotiates with NBD_OPT_GO. */
    public static NbdTestClient connect(Path socket, String export) throws IOException {
        NbdTestClient c = connectRaw(socket);
        c.greeting();
        c.sendClientFlags(FLAG_FIXED_NEWSTYLE | FLAG_NO_ZEROES);
        byte[] n = export.getBytes(StandardCharsets.UTF_8);
        c.sendOption(OPT_GO, ByteBuffer.allocate(6 + n.length).putInt(n.length).put(n).putShort((short) 0).flip());
        while (true) {
            OptReply r = c.readOptReply();
            if (r.type == REP_INFO && r.data.getShort(0) == INFO_EXPORT) {
                c.size = r.data.getLong(2);
                c.transmissionFlags = Short.toUnsignedInt(r.data.getShort(10));
            } else if (r.type == REP_ACK) {
                return c;
            } else if (r.type < 0) {
                throw new IOException("GO failed with reply type " + Integer.toHexString(r.type));
            }
        }
    }

    public record OptReply(int option, int type, ByteBuffer data) {
    }

    public int greeting() throws IOException {
        ByteBuffer g = readN(18);
        if (g.getLong() != NBDMAGIC || g.getLong() != IHAVEOPT) {
            throw new IOException("bad greeting");
        }
        return g.getShort();
    }

    public void sendClientFlags(int flags) throws IOException {
        write(ByteBuffer.allocate(4).putInt(flags).flip());
    }

    public void sendOption(int opt, ByteBuffer data) throws IOException {
        int len = data == null ? 0 : data.remaining();
        ByteBuffer b = ByteBuffer.allocate(16 + len).putLong(IHAVEOPT).putInt(opt).putInt(len);
        if (data != null) {
            b.put(data);
        }
        write(b.flip());
    }

    public OptReply readOptReply() throws IOException {
        ByteBuffer h = readN(20);
        if (h.getLong() != REPLY_MAGIC) {
            throw new IOException("bad option reply magic");
        }
        int opt = h.getInt();
        int type = h.getInt();
        int len = h.getInt();
        return new OptReply(opt, type, readN(len));
    }

    public Reply request(int type, int flags, long offset, long length, ByteBuffer payload) throws IOException {
        long handle = nextHandle++;
        sendRequest(type, flags, handle, offset, length, payload);
        return readReply(type == CMD_READ ? (int) length : 0);
    }

    public void sendRequest(int type, int flags, long handle, long offset, long length, ByteBuffer payload)
            throws IOException {
        ByteBuffer h = ByteBuffer.allocate(28).putInt(REQUEST_MAGIC).putShort((short) flags).putShort((short) type)
                .putLong(handle).putLong(offset).putInt((int) length).flip();
        write(h);
        if (payload != null) {
            write(payload.duplicate());
        }
    }

    public Reply readReply(int readLength) throws IOException {
        ByteBuffer h = readN(16);
        if (h.getInt() != SIMPLE_REPLY_MAGIC) {
            throw new IOException("bad reply magic");
        }
        int err = h.getInt();
        long handle = h.getLong();
        ByteBuffer data = err == 0 && readLength > 0 ? readN(readLength) : null;
        return new Reply(err, handle, data);
    }

    public ByteBuffer read(long offset, int length) throws IOException {
        Reply r = request(CMD_READ, 0, offset, length, null);
        if (r.error != 0) {
            throw new IOException("read error " + r.error);
        }
        return r.data;
    }

    public int write(long offset, ByteBuffer data, boolean fua) throws IOException {
        return request(CMD_WRITE, fua ? CMD_FLAG_FUA : 0, offset, data.remaining(), data).error;
    }

    public int flush() throws IOException {
        return request(CMD_FLUSH, 0, 0, 0, null).error;
    }

    public void disconnect() throws IOException {
        sendRequest(CMD_DISC, 0, 0, 0, 0, null);
    }

    public ByteBuffer readN(int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new EOFException("server closed the connection");
            }
        }
        return b.flip();
    }

    /** True when the server closed the connection; blocks until EOF or a byte arrives. */
    public boolean closedByServer() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(1);
        try {
            return ch.read(b) < 0;
        } catch (IOException e) {
            return true;
        }
    }

    public void write(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    @Override
    public void close() throws IOException {
        ch.close();
    }
}
