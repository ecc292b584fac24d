package dev.prescient.engine.nbd;

import static dev.prescient.engine.nbd.NbdProtocol.*;

import dev.prescient.engine.nbd.NbdConnection.ProtocolException;
import dev.prescient.engine.tls.TlsConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLException;

/**
 * The NBD handshake of one connection (fixed newstyle): the greeting, then option haggling until
 * the client picks an export (EXPORT_NAME or GO) or aborts. On a listener that requires TLS the
 * only options accepted before {@code NBD_OPT_STARTTLS} are STARTTLS and ABORT; after it the
 * connection's stream runs over {@link TlsChannel}. Split from {@link NbdConnection}, which reads
 * and writes the bytes and owns the transmission phase.
 */
final class NbdHandshake {
    /** Longest export name accepted (the protocol's own limit). */
    private static final int MAX_NAME = 4096;

    private final NbdConnection conn;
    private final NbdServer server;
    private final SocketChannel ch;
    /** Non-null on a listener that requires TLS. */
    private final TlsConfig tls;
    private boolean tlsDone;
    private boolean noZeroes;
    private boolean fixed;
    private NbdExport export;

    NbdHandshake(NbdConnection conn, NbdServer server, SocketChannel ch, TlsConfig tlsOrNull) {
        this.conn = conn;
        this.server = server;
        this.ch = ch;
        this.tls = tlsOrNull;
    }

    /** The export the client chose; null until {@link #run} returned true. */
    NbdExport export() {
        return export;
    }

    /** Runs the handshake; true when the client chose an export ({@link #export}), false when it aborted. */
    boolean run() throws IOException {
        ByteBuffer hello = ByteBuffer.allocate(18);
        hello.putLong(NBDMAGIC).putLong(IHAVEOPT).putShort((short) (FLAG_FIXED_NEWSTYLE | FLAG_NO_ZEROES)).flip();
        conn.writeFully(hello);
        int clientFlags = conn.readN(4).getInt();
        if ((clientFlags & ~(FLAG_FIXED_NEWSTYLE | FLAG_NO_ZEROES)) != 0) {
            throw new ProtocolException("unknown client flags " + Integer.toHexString(clientFlags));
        }
        fixed = (clientFlags & FLAG_FIXED_NEWSTYLE) != 0;
        noZeroes = (clientFlags & FLAG_NO_ZEROES) != 0;
        while (true) {
            ByteBuffer h = conn.readN(16);
            if (h.getLong() != IHAVEOPT) {
                throw new ProtocolException("bad option magic");
            }
            int opt = h.getInt();
            long len = Integer.toUnsignedLong(h.getInt());
            if (len > MAX_OPTION) {
                throw new ProtocolException("option " + opt + " length " + len + " too large");
            }
            if (opt == OPT_EXPORT_NAME && len > MAX_NAME) {
                throw new ProtocolException("export name of " + len + " bytes (EXPORT_NAME)");
            }
            ByteBuffer data = conn.readN((int) len);
            if (tls != null && !tlsDone && opt != OPT_STARTTLS && opt != OPT_ABORT) {
                if (opt == OPT_EXPORT_NAME) {
                    throw new ProtocolException("EXPORT_NAME before STARTTLS on a listener that requires TLS");
                }
                optError(opt, REP_ERR_TLS_REQD, "TLS is required: send NBD_OPT_STARTTLS first");
                continue;
            }
            switch (opt) {
                case OPT_EXPORT_NAME -> {
                    String name = StandardCharsets.UTF_8.decode(data).toString();
                    NbdExport e = server.export(name);
                    if (e == null) {
                        throw new ProtocolException("unknown export '" + NbdConnection.shown(name) + "' (EXPORT_NAME)");
                    }
                    export = e;
                    ByteBuffer r = ByteBuffer.allocate(noZeroes ? 10 : 134);
                    r.putLong(e.target().size()).putShort((short) transmissionFlags(e));
                    conn.writeFully(r.position(r.capacity()).flip());
                    return true;
                }
                case OPT_ABORT -> {
                    optReply(opt, REP_ACK, null);
                    return false;
                }
                case OPT_STARTTLS -> {
                    if (len != 0) {
                        optError(opt, REP_ERR_INVALID, "STARTTLS takes no data");
                    } else if (tls == null) {
                        optError(opt, REP_ERR_POLICY, "this listener does not offer TLS");
                    } else if (tlsDone) {
                        optError(opt, REP_ERR_INVALID, "TLS is already negotiated");
                    } else {
                        optReply(opt, REP_ACK, null);
                        TlsChannel t;
                        try {
                            t = TlsChannel.serverHandshake(ch, tls.serverEngine());
                        } catch (SSLException e) {
                            throw new ProtocolException("TLS handshake failed: " + e.getMessage());
                        }
                        conn.useTls(t);
                        tlsDone = true;
                    }
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
        if (nameLen > MAX_NAME) {
            optError(opt, REP_ERR_INVALID, "export name longer than " + MAX_NAME + " bytes");
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
            optError(opt, REP_ERR_UNKNOWN, "no export named '" + NbdConnection.shown(name) + "'");
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
        conn.writeFully(h.flip());
    }

    private void optError(int opt, int type, String message) throws IOException {
        optReply(opt, type, ByteBuffer.wrap(message.getBytes(StandardCharsets.UTF_8)));
    }
}
