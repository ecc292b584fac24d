package dev.prescient.local.nbd;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * A small synchronous NBD client (fixed newstyle handshake, NBD_OPT_GO, simple replies): what the workload uses to
 * read and write a volume through its export, as a consumer on another host would. One request in flight.
 */
public final class NbdConnection implements AutoCloseable {
    private static final long NBDMAGIC = 0x4e42444d41474943L;
    private static final long IHAVEOPT = 0x49484156454F5054L;
    private static final long REPLY_MAGIC = 0x3e889045565a9L;
    private static final int OPT_GO = 7;
    private static final int REP_ACK = 1;
    private static final int REP_INFO = 3;
    private static final int REQUEST_MAGIC = 0x25609513;
    private static final int SIMPLE_REPLY_MAGIC = 0x67446698;
    private static final int CMD_READ = 0;
    private static final int CMD_WRITE = 1;
    private static final int CMD_DISC = 2;
    private static final int CMD_FLUSH = 3;
    private static final int CMD_FLAG_FUA = 1;
    private static final int FLAG_SEND_FUA = 1 << 3;

    /** The server refused or the stream broke; carries the NBD error or the handshake step. */
    public static final class NbdException extends IOException {
        public NbdException(String message) {
            super(message);
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;
    private final long size;
    private final int flags;
    private long cookie;

    private NbdConnection(Socket socket, DataInputStream in, DataOutputStream out, long size, int flags) {
        this.socket = socket;
        this.in = in;
        this.out = out;
        this.size = size;
        this.flags = flags;
    }

    /** Connects to {@code nbd://host:port[/export]}. */
    public static NbdConnection open(String uri) throws IOException {
        URI u = URI.create(uri);
        String export = u.getPath() == null || u.getPath().length() <= 1 ? "" : u.getPath().substring(1);
        Socket s = new Socket();
        s.connect(new InetSocketAddress(u.getHost(), u.getPort() < 0 ? 10809 : u.getPort()), 10_000);
        s.setTcpNoDelay(true);
        s.setSoTimeout(60_000);
        DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream(), 1 << 16));
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream(), 1 << 16));
        try {
            if (in.readLong() != NBDMAGIC || in.readLong() != IHAVEOPT) {
                throw new NbdException("not a newstyle NBD server at " + uri);
            }
            int handshakeFlags = in.readUnsignedShort();
            if ((handshakeFlags & 1) == 0) {
                throw new NbdException("server does not offer the fixed newstyle handshake");
            }
            out.writeInt(1 | (handshakeFlags & 2)); // FIXED_NEWSTYLE, and NO_ZEROES when offered
            byte[] name = export.getBytes(StandardCharsets.UTF_8);
            out.writeLong(IHAVEOPT);
            out.writeInt(OPT_GO);
            out.writeInt(4 + name.length + 2);
            out.writeInt(name.length);
            out.write(name);
            out.writeShort(0);
            out.flush();
            long size = -1;
            int flags = 0;
            while (true) {
                if (in.readLong() != REPLY_MAGIC) {
                    throw new NbdException("bad option reply magic");
                }
                in.readInt();
                int type = in.readInt();
                int len = in.readInt();
                byte[] data = in.readNBytes(len);
                if (type == REP_ACK) {
                    break;
                }
                if ((type & 0x80000000) != 0) {
                    throw new NbdException("NBD_OPT_GO refused (" + Integer.toHexString(type) + "): "
                            + new String(data, StandardCharsets.UTF_8));
                }
                if (type == REP_INFO && len >= 12 && data[0] == 0 && data[1] == 0) {
                    size = java.nio.ByteBuffer.wrap(data, 2, 8).getLong();
                    flags = java.nio.ByteBuffer.wrap(data, 10, 2).getShort() & 0xffff;
                }
            }
            if (size < 0) {
                throw new NbdException("server sent no export size");
            }
            return new NbdConnection(s, in, out, size, flags);
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    public long size() {
        return size;
    }

    public void read(long offset, byte[] buf) throws IOException {
        request(CMD_READ, 0, offset, buf.length, null);
        in.readFully(buf);
    }

    /** Writes and returns only when the server acknowledged; with FUA when the export offers it. */
    public void write(long offset, byte[] data, boolean fua) throws IOException {
        request(CMD_WRITE, fua && (flags & FLAG_SEND_FUA) != 0 ? CMD_FLAG_FUA : 0, offset, data.length, data);
    }

    public void flush() throws IOException {
        request(CMD_FLUSH, 0, 0, 0, null);
    }

    private void request(int type, int cmdFlags, long offset, int length, byte[] payload) throws IOException {
        long c = ++cookie;
        out.writeInt(REQUEST_MAGIC);
        out.writeShort(cmdFlags);
        out.writeShort(type);
        out.writeLong(c);
        out.writeLong(offset);
        out.writeInt(length);
        if (payload != null) {
            out.write(payload);
        }
        out.flush();
        if (in.readInt() != SIMPLE_REPLY_MAGIC) {
            throw new NbdException("bad reply magic");
        }
        int error = in.readInt();
        long got = in.readLong();
        if (got != c) {
            throw new NbdException("reply for cookie " + got + ", expected " + c);
        }
        if (error != 0) {
            throw new NbdException("NBD error " + error + " on command " + type + " at " + offset);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            out.writeInt(REQUEST_MAGIC);
            out.writeShort(0);
            out.writeShort(CMD_DISC);
            out.writeLong(++cookie);
            out.writeLong(0);
            out.writeInt(0);
            out.flush();
        } catch (IOException ignored) {
            // the server may already be gone; the socket is closed either way
        } finally {
            socket.close();
        }
    }
}
