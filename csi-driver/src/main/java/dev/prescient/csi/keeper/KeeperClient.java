package dev.prescient.csi.keeper;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;

/** Launches through a {@link ProcessKeeper}; waits for it a while, as the two pods start in any order. */
public final class KeeperClient implements Launcher {
    private final Path socket;
    private final long waitMs;

    public KeeperClient(Path socket, long waitMs) {
        this.socket = socket;
        this.waitMs = waitMs;
    }

    public Path socket() {
        return socket;
    }

    @Override
    public long start(List<String> argv, Path log, boolean append) throws IOException {
        try (SocketChannel c = connect()) {
            KeeperProtocol.writeRequest(new DataOutputStream(Channels.newOutputStream(c)),
                    new KeeperProtocol.Request(argv, log.toAbsolutePath(), append));
            DataInputStream in = new DataInputStream(Channels.newInputStream(c));
            long pid = in.readLong();
            if (pid <= 0) {
                throw new IOException("process keeper at " + socket + " refused to start " + argv.get(0) + ": " + in.readUTF());
            }
            return pid;
        }
    }

    private SocketChannel connect() throws IOException {
        long end = System.currentTimeMillis() + waitMs;
        while (true) {
            SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                c.connect(UnixDomainSocketAddress.of(socket));
                return c;
            } catch (IOException e) {
                c.close();
                if (System.currentTimeMillis() >= end) {
                    throw new IOException("no process keeper at " + socket + " (is the prescient-dataplane pod running"
                            + " on this node?): " + e.getMessage(), e);
                }
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted waiting for the process keeper", ie);
            }
        }
    }
}
