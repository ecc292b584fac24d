package dev.prescient.engine.nbd;

import static dev.prescient.engine.nbd.NbdProtocol.*;

import dev.prescient.engine.tls.TlsConfig;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLSocket;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * NBD over TLS for libnbd clients that cannot verify our server certificate themselves. libnbd 1.14 (Debian 12)
 * checks the URI's host, an address, against the certificate, which names only the service
 * ({@code DNS:prescient-node-agent}); it has no tls-hostname before 1.22, and nbdfuse refuses
 * {@code tls-certificates} in a URI. So the client runs this relay as a subprocess speaking plain NBD on
 * stdin/stdout, and the relay speaks TLS to the engine:
 *
 * <pre>
 * nbdfuse MNT/nbd --command java -Xmx32m -Xss512k -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData \
 *     -Xshare:auto \
 *     -cp CP dev.prescient.engine.nbd.NbdTlsRelay --connect HOST:PORT --export NAME \
 *     --tls-cert FILE --tls-key FILE --tls-ca FILE [--server-name prescient-node-agent]
 * </pre>
 *
 * <p>The relay connects to HOST:PORT, hands the server's greeting to the client and the client's flags to the
 * server, then sends {@code NBD_OPT_STARTTLS} itself and completes a TLS 1.3 handshake presenting
 * {@code --tls-cert}, requiring a chain to {@code --tls-ca} and {@code --server-name} as a DNS subject
 * alternative name ({@link TlsConfig#clientSocketVerifying}). A server that refuses STARTTLS, or any
 * failure before that, ends the relay with a message on stderr and a non-zero status; there is no plain
 * fallback. The client then negotiates through the TLS session: an empty export name in
 * {@code NBD_OPT_EXPORT_NAME}, {@code NBD_OPT_GO} or {@code NBD_OPT_INFO} (nbdfuse --command always asks for "")
 * becomes {@code --export}, other options pass unchanged. From the client's first transmission request, or
 * after {@code NBD_OPT_EXPORT_NAME}, bytes are copied both ways untouched. Exit status 0 when the client hung
 * up, 1 on any failure or when the server hung up first, 2 for a usage error.
 */
public final class NbdTlsRelay {
    static final int FAILED = 1;
    static final int USAGE_ERROR = 2;
    static final int CONNECT_TIMEOUT_MS = 10_000;
    /** Bound on each read during the greeting, STARTTLS and the TLS handshake. */
    static final int HANDSHAKE_TIMEOUT_MS = 30_000;
    /** Largest option the relay rewrites (it holds it in memory); a name is at most 4 KiB. */
    static final int MAX_REWRITTEN_OPTION = 64 << 10;
    static final int MAX_EXPORT_NAME = 4096;
    /** Copy buffer per direction. */
    static final int BUFFER = 128 << 10;
    /** After one side hung up, how long the other may take to follow before the relay exits anyway. */
    static final long LINGER_MS = 5_000;

    @Command(name = "NbdTlsRelay", sortOptions = false, description = "Plain NBD on stdin/stdout, relayed over"
            + " STARTTLS with a client certificate to an engine (see the class comment of"
            + " dev.prescient.engine.nbd.NbdTlsRelay).")
    static final class Options {
        @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
        boolean help;
        @Option(names = "--connect", required = true, paramLabel = "HOST:PORT", description = "the engine's NBD listener")
        String connect;
        @Option(names = "--export", required = true, paramLabel = "NAME",
                description = "export asked for when the client asks for \"\" (e.g. r1@node:n2)")
        String export;
        @Option(names = "--tls-cert", required = true, paramLabel = "FILE", description = "PEM client certificate (chain)")
        Path tlsCert;
        @Option(names = "--tls-key", required = true, paramLabel = "FILE", description = "PEM private key (PKCS#8 or PKCS#1 RSA)")
        Path tlsKey;
        @Option(names = "--tls-ca", required = true, paramLabel = "FILE", description = "PEM CA the server's chain must end at")
        Path tlsCa;
        @Option(names = "--server-name", paramLabel = "DNS", defaultValue = "prescient-node-agent",
                description = "DNS name the server certificate must carry as a subject alternative name"
                        + " (default ${DEFAULT-VALUE})")
        String serverName;

        InetSocketAddress address;

        void validate() {
            int colon = connect.lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("--connect wants HOST:PORT, got " + connect);
            }
            String host = connect.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            int port;
            try {
                port = Integer.parseInt(connect.substring(colon + 1));
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("--connect " + connect + ": port must be 1-65535");
            }
            address = InetSocketAddress.createUnresolved(host, port);
            // null only in process (relay()): the client's empty name then stays empty, the server's only export.
            int n = export == null ? 1 : export.getBytes(StandardCharsets.UTF_8).length;
            if (n == 0 || n > MAX_EXPORT_NAME) {
                throw new IllegalArgumentException("--export must be 1 to " + MAX_EXPORT_NAME + " bytes");
            }
            try {
                new SNIHostName(serverName);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--server-name " + serverName + " is not a DNS name: " + e.getMessage());
            }
        }
    }

    /** A failure with the message to print; the relay exits {@link #FAILED}. */
    static final class RelayException extends Exception {
        RelayException(String message) {
            super(message);
        }

        RelayException(String message, Throwable cause) {
            super(message + ": " + describe(cause), cause);
        }
    }

    private final Options o;
    private final TlsConfig tls;
    private final CountDownLatch clientGone = new CountDownLatch(1);

    NbdTlsRelay(Options o, TlsConfig tls) {
        this.o = o;
        this.tls = tls;
    }

    /**
     * One relayed connection inside the caller's process (the node agent's copies, whose nbdcopy
     * cannot run a relay on stdin and stdout), as {@link #main} relays one: same checks, same
     * refusal of plain fallback.
     *
     * @param export what an empty export name from the client becomes (empty: the server's only export)
     * @throws IOException naming what failed (connect, STARTTLS, certificate)
     */
    public static void relay(InputStream clientIn, OutputStream clientOut, String hostPort, String export,
            TlsConfig tls, String serverName) throws IOException {
        Options o = new Options();
        o.connect = hostPort;
        o.export = export.isEmpty() ? null : export;
        o.serverName = serverName;
        o.tlsCa = Path.of("(the node's CA)");
        o.validate();
        try {
            new NbdTlsRelay(o, tls).run(clientIn, clientOut);
        } catch (RelayException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    public static void main(String[] args) {
        Options o = new Options();
        CommandLine cl = new CommandLine(o);
        PrintWriter err = new PrintWriter(System.err, true);
        try {
            cl.parseArgs(args);
            if (cl.isUsageHelpRequested()) {
                cl.usage(err); // stdout is the NBD stream
                err.flush();
                System.exit(0);
            }
            o.validate();
        } catch (CommandLine.ParameterException | IllegalArgumentException e) {
            err.println("NbdTlsRelay: " + e.getMessage());
            cl.usage(err);
            err.flush();
            System.exit(USAGE_ERROR);
        }
        int status;
        try {
            TlsConfig tls;
            try {
                tls = TlsConfig.fromPem(o.tlsCert, o.tlsKey, o.tlsCa);
            } catch (IOException e) {
                throw new RelayException("cannot load the TLS files", e);
            }
            status = new NbdTlsRelay(o, tls).run(new FileInputStream(FileDescriptor.in), new FileOutputStream(FileDescriptor.out));
        } catch (RelayException e) {
            System.err.println("NbdTlsRelay: " + e.getMessage());
            status = FAILED;
        }
        System.err.flush();
        // Halt, not exit: the reader of stdin may still sit in a read that nothing can interrupt.
        Runtime.getRuntime().halt(status);
    }

    /** Runs the relay between a client on {@code clientIn}/{@code clientOut} and the server; returns the exit status. */
    int run(InputStream clientInRaw, OutputStream clientOut) throws RelayException {
        String where = o.address.getHostString() + ":" + o.address.getPort();
        DataInputStream clientIn = new DataInputStream(clientInRaw);
        Socket tcp = new Socket();
        SSLSocket ssl;
        try {
            try {
                tcp.setTcpNoDelay(true);
                tcp.setSoTimeout(HANDSHAKE_TIMEOUT_MS);
                tcp.connect(new InetSocketAddress(o.address.getHostString(), o.address.getPort()), CONNECT_TIMEOUT_MS);
            } catch (IOException e) {
                throw new RelayException("cannot connect to " + where, e);
            }
            // Unbuffered on purpose: nothing past the STARTTLS reply may be read before TLS takes the socket.
            DataInputStream serverIn;
            DataOutputStream serverOut;
            int handshakeFlags;
            try {
                serverIn = new DataInputStream(tcp.getInputStream());
                serverOut = new DataOutputStream(tcp.getOutputStream());
                if (serverIn.readLong() != NBDMAGIC) {
                    throw new RelayException(where + " is not an NBD server (no NBDMAGIC)");
                }
                if (serverIn.readLong() != IHAVEOPT) {
                    throw new RelayException(where + " does not offer newstyle negotiation, so no STARTTLS");
                }
                handshakeFlags = serverIn.readUnsignedShort();
            } catch (IOException e) {
                throw new RelayException("no NBD greeting from " + where, e);
            }
            if ((handshakeFlags & FLAG_FIXED_NEWSTYLE) == 0) {
                throw new RelayException(where + " does not offer fixed newstyle negotiation, so no STARTTLS");
            }
            int clientFlags;
            try {
                DataOutputStream toClient = new DataOutputStream(clientOut);
                toClient.writeLong(NBDMAGIC);
                toClient.writeLong(IHAVEOPT);
                toClient.writeShort(handshakeFlags);
                toClient.flush();
                clientFlags = clientIn.readInt();
            } catch (IOException e) {
                throw new RelayException("the client went away before its flags", e);
            }
            if ((clientFlags & FLAG_FIXED_NEWSTYLE) == 0) {
                throw new RelayException("the client does not use fixed newstyle negotiation, so no STARTTLS");
            }
            try {
                serverOut.writeInt(clientFlags);
                serverOut.writeLong(IHAVEOPT);
                serverOut.writeInt(OPT_STARTTLS);
                serverOut.writeInt(0);
                serverOut.flush();
                startTlsReply(serverIn, serverOut, where);
            } catch (IOException e) {
                throw new RelayException("STARTTLS with " + where + " failed", e);
            }
            try {
                ssl = tls.clientSocketVerifying(tcp, o.serverName);
                ssl.setSoTimeout(0);
            } catch (IOException e) {
                throw new RelayException("TLS with " + where + " failed (expecting a certificate from " + o.tlsCa
                        + " naming DNS:" + o.serverName + ")", e);
            }
        } catch (RelayException e) {
            closeQuietly(tcp);
            throw e;
        }
        return relay(ssl, clientIn, clientOut, where);
    }

    /** Reads the reply to STARTTLS: ACK, or a refusal that ends the relay (never a plain fallback). */
    private static void startTlsReply(DataInputStream in, DataOutputStream out, String where) throws IOException, RelayException {
        if (in.readLong() != REPLY_MAGIC) {
            throw new RelayException(where + " answered STARTTLS with something that is not an option reply");
        }
        int opt = in.readInt();
        int type = in.readInt();
        long len = in.readInt() & 0xffffffffL;
        if (len > MAX_REWRITTEN_OPTION) {
            throw new RelayException(where + " answered STARTTLS with a reply of " + len + " bytes");
        }
        byte[] data = in.readNBytes((int) len);
        if (data.length != len) {
            throw new EOFException("end of stream in the STARTTLS reply");
        }
        if (opt != OPT_STARTTLS) {
            throw new RelayException(where + " answered STARTTLS with a reply to option " + opt);
        }
        if (type == REP_ACK) {
            return;
        }
        String why = new String(data, StandardCharsets.UTF_8);
        try {
            out.writeLong(IHAVEOPT);
            out.writeInt(OPT_ABORT);
            out.writeInt(0);
            out.flush();
        } catch (IOException ignored) {
            // a courtesy
        }
        throw new RelayException(where + " refused STARTTLS (" + replyName(type) + (why.isEmpty() ? "" : ": " + why)
                + "); not falling back to plain NBD");
    }

    static String replyName(int type) {
        return switch (type) {
            case REP_ERR_UNSUP -> "NBD_REP_ERR_UNSUP";
            case REP_ERR_POLICY -> "NBD_REP_ERR_POLICY";
            case REP_ERR_INVALID -> "NBD_REP_ERR_INVALID";
            case REP_ERR_TLS_REQD -> "NBD_REP_ERR_TLS_REQD";
            case REP_ERR_UNKNOWN -> "NBD_REP_ERR_UNKNOWN";
            default -> "reply type 0x" + Integer.toHexString(type);
        };
    }

    /** Option phase from the client (rewriting empty export names), then both directions copied untouched. */
    private int relay(SSLSocket ssl, DataInputStream clientIn, OutputStream clientOut, String where) throws RelayException {
        InputStream serverIn;
        OutputStream serverOut;
        try {
            serverIn = ssl.getInputStream();
            serverOut = ssl.getOutputStream();
        } catch (IOException e) {
            closeQuietly(ssl);
            throw new RelayException("TLS session with " + where, e);
        }
        Thread down = new Thread(() -> {
            String why = null;
            try {
                copy(serverIn, clientOut);
            } catch (IOException e) {
                why = "reading from " + where + " or writing to the client: " + describe(e);
            }
            closeQuietly(clientOut);
            try {
                // The server hung up; fine if the client is leaving too (libnbd closes after NBD_CMD_DISC's end).
                if (clientGone.await(LINGER_MS, TimeUnit.MILLISECONDS)) {
                    return;
                }
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
            // The client is still attached (it gets errors from now on): say so and go, since stdin cannot be
            // interrupted.
            System.err.println("NbdTlsRelay: " + (why != null ? why
                    : where + " closed the connection while the client was still attached"));
            System.err.flush();
            Runtime.getRuntime().halt(FAILED);
        }, "relay-server-to-client");
        down.setDaemon(true);
        down.start();

        String why = null;
        try {
            options(clientIn, serverOut);
            copy(clientIn, serverOut);
        } catch (RelayException e) {
            why = e.getMessage();
        } catch (IOException e) {
            why = "reading from the client or writing to " + where + ": " + describe(e);
        }
        clientGone.countDown();
        if (why == null) {
            // The client hung up: tell the server, give it a moment to answer a last request, then go.
            try {
                ssl.shutdownOutput();
            } catch (IOException | UnsupportedOperationException ignored) {
                // closing below is enough
            }
            try {
                down.join(LINGER_MS);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }
        closeQuietly(ssl);
        if (why != null) {
            throw new RelayException(why);
        }
        return 0;
    }

    /**
     * Relays options until the client starts transmission (a request instead of an option) or sends
     * NBD_OPT_EXPORT_NAME. Returns normally at the client's end of stream too; the caller's copy then ends at once.
     */
    private void options(DataInputStream in, OutputStream out) throws IOException, RelayException {
        byte[] export = o.export == null ? new byte[0] : o.export.getBytes(StandardCharsets.UTF_8);
        byte[] head = new byte[16];
        while (true) {
            int n = in.readNBytes(head, 0, 8);
            if (n == 0) {
                return;
            }
            if (n < 8) {
                throw new EOFException("client closed the connection inside an option header");
            }
            ByteBuffer h = ByteBuffer.wrap(head);
            if (h.getInt(0) == REQUEST_MAGIC) {
                out.write(head, 0, 8);
                return; // transmission: the rest of the request follows in the copy
            }
            if (h.getLong(0) != IHAVEOPT) {
                throw new RelayException("the client sent neither an option nor a request (0x"
                        + Long.toHexString(h.getLong(0)) + ")");
            }
            in.readFully(head, 8, 8);
            int opt = h.getInt(8);
            long len = h.getInt(12) & 0xffffffffL;
            if (opt == OPT_EXPORT_NAME || opt == OPT_GO || opt == OPT_INFO) {
                if (len > MAX_REWRITTEN_OPTION) {
                    throw new RelayException("the client sent option " + opt + " of " + len + " bytes");
                }
                byte[] data = new byte[(int) len];
                in.readFully(data);
                data = withExportName(opt, data, export);
                ByteBuffer msg = ByteBuffer.allocate(16 + data.length).putLong(IHAVEOPT).putInt(opt).putInt(data.length).put(data);
                out.write(msg.array());
                out.flush();
                if (opt == OPT_EXPORT_NAME) {
                    return; // no reply to wait for: transmission starts
                }
            } else {
                out.write(head, 0, 16);
                copyExactly(in, out, len);
                out.flush();
            }
        }
    }

    /** The option's data with an empty export name replaced by {@code export}; other data unchanged. */
    static byte[] withExportName(int opt, byte[] data, byte[] export) {
        if (opt == OPT_EXPORT_NAME) {
            return data.length == 0 ? export.clone() : data;
        }
        // NBD_OPT_GO and NBD_OPT_INFO: u32 name length, name, u16 number of information requests, requests.
        if (data.length < 6 || ByteBuffer.wrap(data).getInt(0) != 0) {
            return data; // malformed or a name given: the server judges
        }
        return ByteBuffer.allocate(data.length + export.length).putInt(export.length).put(export)
                .put(data, 4, data.length - 4).array();
    }

    private static void copy(InputStream in, OutputStream out) throws IOException {
        byte[] b = new byte[BUFFER];
        for (int n; (n = in.read(b)) >= 0; ) {
            if (n > 0) {
                out.write(b, 0, n);
                out.flush();
            }
        }
    }

    private static void copyExactly(InputStream in, OutputStream out, long len) throws IOException {
        byte[] b = new byte[(int) Math.min(BUFFER, Math.max(len, 1))];
        while (len > 0) {
            int n = in.read(b, 0, (int) Math.min(b.length, len));
            if (n < 0) {
                throw new EOFException("client closed the connection inside an option");
            }
            out.write(b, 0, n);
            len -= n;
        }
    }

    static String describe(Throwable e) {
        StringBuilder s = new StringBuilder(String.valueOf(e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()));
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            if (c.getMessage() != null && !s.toString().contains(c.getMessage())) {
                s.append(": ").append(c.getMessage());
            }
        }
        return s.toString();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing
        }
    }
}
