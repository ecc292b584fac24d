package dev.prescient.csi;

import dev.prescient.engine.nbd.NbdProtocol;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.util.Optional;

/**
 * Is an NBD export serving? Connects, reads the newstyle greeting (NBDMAGIC, IHAVEOPT), then
 * leaves politely with NBD_OPT_ABORT, so the server sees a clean disconnect rather than a
 * protocol error. Used for volume conditions: an engine process that died or hangs fails here.
 */
public final class NbdProbe {
    static final long NBDMAGIC = NbdProtocol.NBDMAGIC;
    static final long IHAVEOPT = NbdProtocol.IHAVEOPT;
    private static final int OPT_ABORT = NbdProtocol.OPT_ABORT;
    private static final int CLIENT_FIXED_NEWSTYLE_NO_ZEROES = NbdProtocol.FLAG_FIXED_NEWSTYLE | NbdProtocol.FLAG_NO_ZEROES;

    private NbdProbe() {
    }

    /** Empty when the export greeted us; otherwise what went wrong. */
    public static Optional<String> probe(String nbdUri, int timeoutMillis) {
        String hostPort;
        try {
            URI u = URI.create(nbdUri);
            if (!"nbd".equals(u.getScheme()) || u.getHost() == null || u.getPort() < 0) {
                return Optional.of("not an nbd://host:port URI: " + nbdUri);
            }
            hostPort = u.getHost() + ":" + u.getPort();
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(u.getHost(), u.getPort()), timeoutMillis);
                s.setSoTimeout(timeoutMillis);
                var in = new DataInputStream(s.getInputStream());
                if (in.readLong() != NBDMAGIC || in.readLong() != IHAVEOPT) {
                    return Optional.of("export " + hostPort + " answered, but not with an NBD newstyle greeting");
                }
                in.readShort();
                var out = new DataOutputStream(s.getOutputStream());
                out.writeInt(CLIENT_FIXED_NEWSTYLE_NO_ZEROES);
                out.writeLong(IHAVEOPT);
                out.writeInt(OPT_ABORT);
                out.writeInt(0);
                out.flush();
            }
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.of("not an nbd://host:port URI: " + nbdUri);
        } catch (IOException e) {
            return Optional.of("NBD export " + nbdUri + " not serving: " + e.getMessage());
        }
    }
}
