package dev.prescient.engine.nbd;

import static dev.prescient.engine.nbd.NbdProtocol.*;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The project's one NBD client: synchronous, one request in flight, fixed newstyle handshake with NBD_OPT_GO,
 * simple replies. Local mode's workload reads and writes volumes with it; tests use it as a consumer of an export
 * and, through the raw methods ({@link #connectRaw}, {@link #sendOption}, {@link #sendRequest}...), to put exact
 * bytes on the wire. Over TCP a read waits at most {@link #READ_TIMEOUT_MILLIS}.
 */
public final class NbdClient implements AutoCloseable {
    public static final int DEFAULT_PORT = 10809;
    public static final int CONNECT_TIMEOUT_MILLIS = 10_000;
    public static final int READ_TIMEOUT_MILLIS = 60_000;

    /** The server refused, answered with an NBD error, or broke the protocol. */
    public static final class NbdException extends IOException {
        public NbdException(String message) {
            super(message);
        }
    }

    public record Reply(int error, long handle, ByteBuffer data) {
    }

    public record OptReply(int option, int type, ByteBuffer data) {
    }

    private final SocketChannel ch;
    private final InputStream in;
    private long size = -1;
    private int transmissionFlags;
    private boolean negotiated;
    private long nextHandle = 1;

    private NbdClient(SocketChannel ch, InputStream in) {
        this.ch = ch;
        this.in = in;
    }

    /** Connected, nothing sent or read yet. */
    public static NbdClient connectRaw(Path unixSocket) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(unixSocket));
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        return new NbdClient(ch, Channels.newInputStream(ch));
    }

    /** Connected, nothing sent or read yet. */
    public static NbdClient connectRaw(InetSocketAddress address) throws IOException {
        SocketChannel ch = SocketChannel.open();
        try {
            ch.socket().connect(address, CONNECT_TIMEOUT_MILLIS);
            ch.socket().setTcpNoDelay(true);
            ch.socket().setSoTimeout(READ_TIMEOUT_MILLIS);
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        // The socket adaptor's stream honours SO_TIMEOUT; the channel's own reads would wait forever.
        return new NbdClient(ch, ch.socket().getInputStream());
    }

    /** Connects and negotiates {@code export} with NBD_OPT_GO. */
    public static NbdClient connect(Path unixSocket, String export) throws IOException {
        return negotiate(connectRaw(unixSocket), export);
    }

    /** Connects and negotiates {@code export} with NBD_OPT_GO. */
    public static NbdClient connect(InetSocketAddress address, String export) throws IOException {
        return negotiate(connectRaw(address), export);
    }

    /** {@code nbd://host[:port][/export]} or {@code nbd+unix:///[export]?socket=PATH}. */
    public static NbdClient open(String uri) throws IOException {
        URI u = URI.create(uri);
        String path = u.getPath() == null || u.getPath().length() <= 1 ? "" : u.getPath().substring(1);
        return open(uri, path);
    }

    /** Like {@link #open(String)}, with the export named separately (a URI of the server only). */
    public static NbdClient open(String uri, String export) throws IOException {
        URI u = URI.create(uri);
        if ("nbd+unix".equals(u.getScheme())) {
            String q = u.getQuery() == null ? "" : u.getQuery();
            int at = q.indexOf("socket=");
            if (at < 0) {
                throw new IllegalArgumentException("nbd+unix URI without socket=: " + uri);
            }
            String socket = q.substring(at + "socket=".length());
            int amp = socket.indexOf('&');
            return connect(Path.of(amp < 0 ? socket : socket.substring(0, amp)), export);
        }
        if (!"nbd".equals(u.getScheme()) || u.getHost() == null) {
            throw new IllegalArgumentException("not an nbd:// or nbd+unix:// URI: " + uri);
        }
        return connect(new InetSocketAddress(u.getHost(), u.getPort() < 0 ? DEFAULT_PORT : u.getPort()), export);
    }

    private static NbdClient negotiate(NbdClient c, String export) throws IOException {
        try {
            int handshakeFlags = c.greeting();
            if ((handshakeFlags & FLAG_FIXED_NEWSTYLE) == 0) {
                throw new NbdException("server does not offer the fixed newstyle handshake");
            }
            c.sendClientFlags(FLAG_FIXED_NEWSTYLE | (handshakeFlags & FLAG_NO_ZEROES));
            byte[] n = export.getBytes(StandardCharsets.UTF_8);
            c.sendOption(OPT_GO, ByteBuffer.allocate(6 + n.length).putInt(n.length).put(n).putShort((short) 0).flip());
            while (true) {
                OptReply r = c.readOptReply();
                if (r.type == REP_INFO && r.data.remaining() >= 12 && r.data.getShort(0) == INFO_EXPORT) {
                    c.size = r.data.getLong(2);
                    c.transmissionFlags = Short.toUnsignedInt(r.data.getShort(10));
                } else if (r.type == REP_ACK) {
                    break;
                } else if ((r.type & REP_FLAG_ERROR) != 0) {
                    throw new NbdException("NBD_OPT_GO for export '" + export + "' refused ("
                            + Integer.toHexString(r.type) + "): " + StandardCharsets.UTF_8.decode(r.data));
                }
            }
            if (c.size < 0) {
                throw new NbdException("server sent no export size");
            }
            c.negotiated = true;
            return c;
        } catch (IOException | RuntimeException e) {
            c.ch.close();
            throw e;
        }
    }

    /** The export's size, from NBD_INFO_EXPORT (-1 before the handshake). */
    public long size() {
        return size;
    }

    /** The export's transmission flags (TF_* in {@link NbdProtocol}). */
    public int transmissionFlags() {
        return transmissionFlags;
    }

    /** The connection, for tests that shut a direction down or wrap it. */
    public SocketChannel channel() {
        return ch;
    }

    // ------------------------------------------------------------ handshake steps

    /** Reads the server's greeting; returns its handshake flags. */
    public int greeting() throws IOException {
        ByteBuffer g = readN(18);
        if (g.getLong() != NBDMAGIC || g.getLong() != IHAVEOPT) {
            throw new NbdException("not a newstyle NBD server");
        }
        return Short.toUnsignedInt(g.getShort());
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
            throw new NbdException("bad option reply magic");
        }
        int opt = h.getInt();
        int type = h.getInt();
        int len = h.getInt();
        return new OptReply(opt, type, readN(len));
    }

    // ------------------------------------------------------------ transmission

    /** Sends one request and reads its reply (with the data of a successful READ). */
    public Reply request(int type, int flags, long offset, long length, ByteBuffer payload) throws IOException {
        long handle = nextHandle++;
        sendRequest(type, flags, handle, offset, length, payload);
        Reply r = readReply(type == CMD_READ ? (int) length : 0);
        if (r.handle != handle) {
            throw new NbdException("reply for handle " + r.handle + ", expected " + handle);
        }
        return r;
    }

    public void sendRequest(int type, int flags, long handle, long offset, long length, ByteBuffer payload)
            throws IOException {
        ByteBuffer h = ByteBuffer.allocate(28).putInt(REQUEST_MAGIC).putShort((short) flags).putShort((short) type)
                .putLong(handle).putLong(offset).putInt((int) length).flip();
        if (payload == null) {
            write(h);
        } else {
            ByteBuffer[] both = {h, payload.duplicate()};
            while (both[0].hasRemaining() || both[1].hasRemaining()) {
                ch.write(both);
            }
        }
    }

    public Reply readReply(int readLength) throws IOException {
        ByteBuffer h = readN(16);
        if (h.getInt() != SIMPLE_REPLY_MAGIC) {
            throw new NbdException("bad reply magic");
        }
        int err = h.getInt();
        long handle = h.getLong();
        ByteBuffer data = err == 0 && readLength > 0 ? readN(readLength) : null;
        return new Reply(err, handle, data);
    }

    /** READ; an NBD error throws. */
    public ByteBuffer read(long offset, int length) throws IOException {
        Reply r = request(CMD_READ, 0, offset, length, null);
        if (r.error != 0) {
            throw new NbdException("NBD error " + r.error + " reading " + length + " bytes at " + offset);
        }
        return r.data;
    }

    /** READ into {@code into}; an NBD error throws. */
    public void read(long offset, byte[] into) throws IOException {
        read(offset, into.length).get(into);
    }

    /** WRITE, with FUA when asked (whatever the export offers); returns the NBD error (0: done). */
    public int write(long offset, ByteBuffer data, boolean fua) throws IOException {
        return request(CMD_WRITE, fua ? CMD_FLAG_FUA : 0, offset, data.remaining(), data).error;
    }

    /** WRITE, returning once acknowledged, with FUA when asked and the export offers it; an NBD error throws. */
    public void write(long offset, byte[] data, boolean fua) throws IOException {
        check(write(offset, ByteBuffer.wrap(data), fua && (transmissionFlags & TF_SEND_FUA) != 0),
                "writing " + data.length + " bytes at " + offset);
    }

    /** FLUSH; returns the NBD error (0: done). */
    public int flush() throws IOException {
        return request(CMD_FLUSH, 0, 0, 0, null).error;
    }

    /** FLUSH; an NBD error throws. */
    public void flushChecked() throws IOException {
        check(flush(), "flush");
    }

    private static void check(int error, String what) throws NbdException {
        if (error != 0) {
            throw new NbdException("NBD error " + error + " " + what);
        }
    }

    /** Sends NBD_CMD_DISC (the server closes without a reply). */
    public void disconnect() throws IOException {
        sendRequest(CMD_DISC, 0, nextHandle++, 0, 0, null);
    }

    public ByteBuffer readN(int n) throws IOException {
        byte[] b = new byte[n];
        int got = in.readNBytes(b, 0, n);
        if (got < n) {
            throw new EOFException("server closed the connection");
        }
        return ByteBuffer.wrap(b);
    }

    /** True when the server closed the connection; blocks until EOF or a byte arrives. */
    public boolean closedByServer() throws IOException {
        try {
            return in.read() < 0;
        } catch (IOException e) {
            return true;
        }
    }

    public void write(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /** Disconnects politely after a completed handshake, then closes the connection. */
    @Override
    public void close() throws IOException {
        try {
            if (negotiated && ch.isOpen()) {
                disconnect();
            }
        } catch (IOException ignored) {
            // the server may already be gone; the connection is closed either way
        } finally {
            ch.close();
        }
    }
}
