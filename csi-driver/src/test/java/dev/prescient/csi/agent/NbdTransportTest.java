package dev.prescient.csi.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NbdTransportTest {
    static final Path SOCK = Path.of("/var/lib/prescient/run/engine/r1.nbd.sock");
    static final NbdTransport.Tls TLS = new NbdTransport.Tls(Path.of("/tls/tls.crt"), Path.of("/tls/tls.key"),
            Path.of("/tls/ca.crt"));

    /** This node serves 10.0.0.1:7001 only. */
    static NbdTransport transport(Optional<NbdTransport.Tls> tls) {
        return new NbdTransport(t -> t.host().equals("10.0.0.1") && t.port() == 7001 ? Optional.of(SOCK) : Optional.empty(),
                tls, "/opt/prescient/lib/*");
    }

    @Test
    void parsesHostPortAndExport() {
        assertThat(NbdTransport.parse("nbd://10.0.0.1:7001/r1@node:n2"))
                .isEqualTo(new NbdTransport.Target("10.0.0.1", 7001, "r1@node:n2"));
        assertThat(NbdTransport.parse("nbd://host:1").export()).isEmpty();
        assertThatThrownBy(() -> NbdTransport.parse("nbds://host:1/x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NbdTransport.parse("nbd://host/x")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void thisNodesExportsAreReachedThroughTheEnginesUnixSocketEvenWithTls() {
        NbdTransport t = transport(Optional.of(TLS));
        assertThat(t.nbdfuseSource("nbd://10.0.0.1:7001/r1@node:n1"))
                .containsExactly("nbd+unix:///r1@node:n1?socket=" + SOCK);
        assertThat(t.nbdcopyOperand("nbd://10.0.0.1:7001/r1")).containsExactly("nbd+unix:///r1?socket=" + SOCK);
        assertThat(t.nbdClientArgs("nbd://10.0.0.1:7001/r1", "/dev/nbd3"))
                .containsExactly("nbd-client", "-unix", SOCK.toString(), "/dev/nbd3", "-name", "r1");
    }

    @Test
    void otherNodesExportsGoThroughTheTlsRelayWhichChecksTheNodeName() {
        NbdTransport t = transport(Optional.of(TLS));
        var fuse = t.nbdfuseSource("nbd://10.0.0.2:7001/r9@node:n1");
        assertThat(fuse.get(0)).isEqualTo("--command");
        assertThat(fuse).contains(NbdTransport.RELAY, "--connect", "10.0.0.2:7001", "--export", "r9@node:n1",
                "--tls-cert", "/tls/tls.crt", "--tls-key", "/tls/tls.key", "--tls-ca", "/tls/ca.crt",
                "--server-name", NbdTransport.SERVER_NAME).doesNotContain("nbd://10.0.0.2:7001/r9@node:n1");
        var copy = t.nbdcopyOperand("nbd://10.0.0.2:7001/r9");
        assertThat(copy.get(0)).isEqualTo("[");
        assertThat(copy.get(copy.size() - 1)).isEqualTo("]");
        assertThat(t.nbdClientArgs("nbd://10.0.0.2:7001/r9", "/dev/nbd0")).containsExactly("nbd-client", "10.0.0.2",
                "7001", "/dev/nbd0", "-certfile", "/tls/tls.crt", "-keyfile", "/tls/tls.key", "-cacertfile",
                "/tls/ca.crt", "-tlshostname", NbdTransport.SERVER_NAME, "-name", "r9");
    }

    @Test
    void withoutTlsMaterialRemoteExportsAreDialledAsGiven() {
        NbdTransport t = transport(Optional.empty());
        assertThat(t.nbdfuseSource("nbd://10.0.0.2:7001/r9")).containsExactly("nbd://10.0.0.2:7001/r9");
        assertThat(t.nbdcopyOperand("nbd://10.0.0.2:7001/r9")).containsExactly("nbd://10.0.0.2:7001/r9");
        assertThat(NbdTransport.plain().nbdfuseSource("nbd://10.0.0.1:7001/r1")).containsExactly("nbd://10.0.0.1:7001/r1");
    }
}
