package dev.prescient.csi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The export probe against real sockets: a greeting server, a wrong one, a closed port, bad URIs. */
class NbdProbeTest {

    @Test
    void greetsThenLeavesWithOptAbort() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<int[]> seen = CompletableFuture.supplyAsync(() -> {
                try (Socket s = server.accept()) {
                    var out = new DataOutputStream(s.getOutputStream());
                    out.writeLong(NbdProbe.NBDMAGIC);
                    out.writeLong(NbdProbe.IHAVEOPT);
                    out.writeShort(3);
                    out.flush();
                    var in = new DataInputStream(s.getInputStream());
                    int flags = in.readInt();
                    long magic = in.readLong();
                    int option = in.readInt();
                    int length = in.readInt();
                    return new int[] {flags, magic == NbdProbe.IHAVEOPT ? 1 : 0, option, length};
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            // The form a node stages: an export name carrying the attaching node (NbdUri.attachedBy).
            assertThat(NbdProbe.probe("nbd://127.0.0.1:" + server.getLocalPort() + "/vol-r0@node:node-a", 2000)).isEmpty();
            assertThat(seen.get(10, TimeUnit.SECONDS)).containsExactly(3, 1, 2, 0);
        }
    }

    @Test
    void somethingElseOnThePortIsNotAnExport() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture.runAsync(() -> {
                try (Socket s = server.accept()) {
                    s.getOutputStream().write("HTTP/1.1 400 Bad Request\r\n\r\n".getBytes());
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            assertThat(NbdProbe.probe("nbd://127.0.0.1:" + server.getLocalPort(), 2000)).hasValueSatisfying(
                    m -> assertThat(m).contains("not with an NBD newstyle greeting"));
        }
    }

    @Test
    void closedPortAndBadUrisSayWhy() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        assertThat(NbdProbe.probe("nbd://127.0.0.1:" + port, 2000)).hasValueSatisfying(
                m -> assertThat(m).contains("not serving"));
        assertThat(NbdProbe.probe("http://127.0.0.1:80", 2000)).hasValueSatisfying(
                m -> assertThat(m).contains("not an nbd://host:port URI"));
        assertThat(NbdProbe.probe("nbd:// bad", 2000)).isPresent();
    }
}
