package dev.prescient.csi.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescient.engine.tls.TlsConfig;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The copy proxy relays each connection on a bounded pool: one past the bound is closed, not queued. */
class TlsExportProxyTest {

    /** Reads one byte or end of stream without blocking: -1 closed, 0 still open and silent. */
    static int poll(SocketChannel c) throws Exception {
        c.configureBlocking(false);
        return c.read(ByteBuffer.allocate(1));
    }

    static int awaitClosed(SocketChannel c, long ms) throws Exception {
        long end = System.currentTimeMillis() + ms;
        int r;
        while ((r = poll(c)) == 0 && System.currentTimeMillis() < end) {
            Thread.sleep(20);
        }
        return r;
    }

    @Test
    void connectionsPastTheBoundAreClosedAndClosingTheProxyEndsTheRest(@TempDir Path pki) throws Exception {
        AgentMtlsIT.ca(pki, "ca");
        AgentMtlsIT.issue(pki, "ca", "node");
        TlsConfig tls = TlsConfig.fromPem(pki.resolve("node.crt"), pki.resolve("node.key"), pki.resolve("ca.crt"));
        // A server that takes connections and never speaks: every relay waits on its NBD greeting.
        try (ServerSocket silent = new ServerSocket(0, 64, InetAddress.getLoopbackAddress())) {
            TlsExportProxy proxy = new TlsExportProxy("127.0.0.1:" + silent.getLocalPort(), "r1", tls,
                    NbdTransport.SERVER_NAME);
            Path socket = Path.of(proxy.uri().substring("nbd+unix:///?socket=".length()));
            List<SocketChannel> relayed = new ArrayList<>();
            try {
                for (int i = 0; i < TlsExportProxy.MAX_CONNECTIONS; i++) {
                    SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
                    c.connect(UnixDomainSocketAddress.of(socket));
                    relayed.add(c);
                }
                try (SocketChannel extra = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                    extra.connect(UnixDomainSocketAddress.of(socket));
                    assertThat(awaitClosed(extra, 10_000)).as("the connection past the bound is closed").isEqualTo(-1);
                }
                for (SocketChannel c : relayed) {
                    assertThat(poll(c)).as("relayed connections stay open while their relay waits").isZero();
                }
            } finally {
                proxy.close();
            }
            for (SocketChannel c : relayed) {
                assertThat(awaitClosed(c, 10_000)).as("closed with the proxy").isEqualTo(-1);
                c.close();
            }
            assertThat(socket).doesNotExist();
        }
    }
}
