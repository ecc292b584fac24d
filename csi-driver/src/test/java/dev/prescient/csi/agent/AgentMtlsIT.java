package dev.prescient.csi.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prescient.api.nodeagent.v1.NodeAgentGrpc;
import dev.prescient.api.nodeagent.v1.NodeHealthRequest;
import dev.prescient.testkit.FakeNodeAgent;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.StatusRuntimeException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node agent's mutual TLS with openssl-made certificates: only clients signed by the CA get in. */
public class AgentMtlsIT {
    @TempDir
    Path dir;
    Server server;
    String address;

    public static void sh(Path dir, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(String.join(" ", cmd) + "\n" + out).isZero();
    }

    /** CA, then a key and a CA-signed certificate for {@code name}. */
    public static void issue(Path dir, String ca, String name) throws Exception {
        sh(dir, "openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", name + ".key", "-out", name + ".csr",
                "-subj", "/CN=" + name);
        sh(dir, "sh", "-c", "printf 'subjectAltName=DNS:prescient-node-agent,DNS:localhost\\n' > " + name + ".ext");
        sh(dir, "openssl", "x509", "-req", "-in", name + ".csr", "-CA", ca + ".crt", "-CAkey", ca + ".key",
                "-CAcreateserial", "-days", "2", "-out", name + ".crt", "-extfile", name + ".ext");
    }

    public static void ca(Path dir, String name) throws Exception {
        sh(dir, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", name + ".key", "-out",
                name + ".crt", "-days", "2", "-subj", "/CN=" + name);
    }

    @BeforeEach
    void start() throws Exception {
        ca(dir, "ca");
        ca(dir, "rogue");
        issue(dir, "ca", "node");
        issue(dir, "ca", "controller");
        issue(dir, "rogue", "intruder");
        AgentTls tls = new AgentTls(dir.resolve("node.crt"), dir.resolve("node.key"), dir.resolve("ca.crt"), false);
        server = tls.serverBuilder(new InetSocketAddress("127.0.0.1", 0)).addService(new FakeNodeAgent("n1", "z1"))
                .build().start();
        address = "127.0.0.1:" + server.getPort();
    }

    @AfterEach
    void stop() {
        server.shutdownNow();
    }

    String call(AgentTls client) throws Exception {
        ManagedChannel ch = client.channel(address);
        try {
            return NodeAgentGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .getNodeHealth(NodeHealthRequest.getDefaultInstance()).getNodeId();
        } finally {
            ch.shutdownNow();
        }
    }

    @Test
    void clientWithCaSignedCertificateIsServed() throws Exception {
        assertThat(call(new AgentTls(dir.resolve("controller.crt"), dir.resolve("controller.key"), dir.resolve("ca.crt"),
                false))).isEqualTo("n1");
    }

    @Test
    void clientsWithoutAValidCertificateAreRefused() throws Exception {
        for (AgentTls bad : List.of(
                new AgentTls(null, null, dir.resolve("ca.crt"), false),
                new AgentTls(dir.resolve("intruder.crt"), dir.resolve("intruder.key"), dir.resolve("ca.crt"), false),
                AgentTls.insecurePlaintext())) {
            assertThatThrownBy(() -> call(bad)).as(String.valueOf(bad.cert())).isInstanceOf(StatusRuntimeException.class)
                    .extracting(e -> ((StatusRuntimeException) e).getStatus().getCode().name())
                    .isIn("UNAVAILABLE", "INTERNAL", "UNKNOWN");
        }
    }

    @Test
    void clientRefusesAServerFromAnotherCa() throws Exception {
        assertThatThrownBy(() -> call(new AgentTls(dir.resolve("controller.crt"), dir.resolve("controller.key"),
                dir.resolve("rogue.crt"), false))).isInstanceOf(StatusRuntimeException.class);
    }
}
