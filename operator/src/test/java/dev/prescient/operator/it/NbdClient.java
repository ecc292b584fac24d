package dev.prescient.operator.it;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;

/**
 * The least NBD client the IT needs (newstyle fixed handshake, NBD_OPT_GO on the default export, simple replies,
 * one request at a time): a workload writing through a replica's export while the operator moves it.
 */
final class NbdClient implements AutoCloseable {
    private static final long MAGIC = 0x4e42444d41474943L;        // "NBDMAGIC"
    private static final long OPT_MAGIC = 0x49484156454F5054L;    // "IHAVEOPT"
    private static final long OPT_REPLY_MAGIC = 0x3e889045565a9L;
    private static final int REQUEST_MAGIC = 0x25609513;
    private static final int REPLY_MAGIC = 0x67446698;

    private final java.io.Closeable socket;
    private final DataInputStream in;
    private final DataOutputStream out;
    private final long size;
    private long handle;

    NbdClient(String uri) throws IOException {
        URI u = URI.create(uri);
        if ("nbd+unix".equals(u.getScheme())) {
            // This node's way in (the engines take TCP from TLS clients only): nbd+unix:///?socket=PATH
            var ch = java.nio.channels.SocketChannel.open(java.net.UnixDomainSocketAddress.of(
                    u.getQuery().substring(u.getQuery().indexOf("socket=") + "socket=".length())));
            socket = ch;
            in = new DataInputStream(new BufferedInputStream(java.nio.channels.Channels.newInputStream(ch)));
            out = new DataOutputStream(new BufferedOutputStream(java.nio.channels.Channels.newOutputStream(ch)));
        } else {
            Socket tcp = new Socket();
            tcp.connect(new InetSocketAddress(u.getHost(), u.getPort()), 10_000);
            tcp.setSoTimeout(60_000);
            tcp.setTcpNoDelay(true);
            socket = tcp;
            in = new DataInputStream(new BufferedInputStream(tcp.getInputStream()));
            out = new DataOutputStream(new BufferedOutputStream(tcp.getOutputStream()));
        }
        if (in.readLong() != MAGIC || in.readLong() != OPT_MAGIC) {
            throw new IOException(uri + ": not a newstyle NBD server");
        }
        int serverFlags = in.readUnsignedShort();
        out.writeInt(serverFlags & 3); // fixed newstyle (+ no zeroes when offered)
        out.writeLong(OPT_MAGIC);
        out.writeInt(7); // NBD_OPT_GO
        out.writeInt(6); // empty export name (4 bytes length) + no info requests (2 bytes)
        out.writeInt(0);
        out.writeShort(0);
        out.flush();
        long exportSize = -1;
        while (true) {
            if (in.readLong() != OPT_REPLY_MAGIC) {
                throw new IOException(uri + ": bad option reply");
            }
            in.readInt();
            int type = in.readInt();
            byte[] data = in.readNBytes(in.readInt());
            if (type < 0) {
                throw new IOException(uri + ": export refused, reply type " + Integer.toHexString(type));
            }
            if (type == 3 && data.length >= 12 && data[1] == 0 && data[0] == 0) { // NBD_REP_INFO, NBD_INFO_EXPORT
                exportSize = ByteBuffer.wrap(data, 2, 8).getLong();
            }
            if (type == 1) { // NBD_REP_ACK
                break;
            }
        }
        if (exportSize < 0) {
            throw new IOException(uri + ": no export size");
        }
        size = exportSize;
    }

    long size() {
        return size;
    }

    void write(long offset, byte[] data) throws IOException {
        send(1, offset, data.length, data);
    }

    void read(long offset, byte[] into) throws IOException {
        send(0, offset, into.length, null);
        in.readFully(into);
    }

    void flush() throws IOException {
        send(3, 0, 0, null);
    }

    private void send(int command, long offset, int length, byte[] payload) throws IOException {
        long h = ++handle;
        out.writeInt(REQUEST_MAGIC);
        out.writeShort(0);
        out.writeShort(command);
        out.writeLong(h);
        out.writeLong(offset);
        out.writeInt(length);
        if (payload != null) {
            out.write(payload);
        }
        out.flush();
        if (in.readInt() != REPLY_MAGIC) {
            throw new IOException("bad reply magic");
        }
        int error = in.readInt();
        if (in.readLong() != h) {
            throw new IOException("reply to another request");
        }
        if (error != 0) {
            throw new IOException("NBD error " + error + " (command " + command + " at " + offset + ")");
        }
    }

    @Override
    public void close() throws IOException {
        try {
            out.writeInt(REQUEST_MAGIC);
            out.writeShort(0);
            out.writeShort(2); // NBD_CMD_DISC
            out.writeLong(++handle);
            out.writeLong(0);
            out.writeInt(0);
            out.flush();
        } catch (IOException ignored) {
            // The server may already be gone; the socket is closed anyway.
        } finally {
            socket.close();
        }
    }
}
