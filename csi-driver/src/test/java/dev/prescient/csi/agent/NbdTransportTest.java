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
    void thisNodesExportsAreReachedThroughTheEnginesUnixSocketEvenWithTls() throws Exception {
        NbdTransport t = transport(Optional.of(TLS));
        assertThat(t.nbdfuseSource("nbd://10.0.0.1:7001/r1@node:n1"))
                .containsExactly("nbd+unix:///r1@node:n1?socket=" + SOCK);
        try (var op = t.nbdcopyOperand("nbd://10.0.0.1:7001/r1")) {
            assertThat(op.uri()).isEqualTo("nbd+unix:///r1?socket=" + SOCK);
            assertThat(op.resource()).isNull();
        }
        assertThat(t.nbdClientArgs("nbd://10.0.0.1:7001/r1", "/dev/nbd3"))
                .containsExactly("nbd-client", "-unix", SOCK.toString(), "/dev/nbd3", "-name", "r1");
    }

    @Test
    void otherNodesExportsGoThroughTheTlsRelayWhichChecksTheNodeName(@org.junit.jupiter.api.io.TempDir Path pki)
            throws Exception {
        AgentMtlsIT.ca(pki, "ca");
        AgentMtlsIT.issue(pki, "ca", "node");
        NbdTransport.Tls real = new NbdTransport.Tls(pki.resolve("node.crt"), pki.resolve("node.key"), pki.resolve("ca.crt"));
        NbdTransport t = transport(Optional.of(real));
        var fuse = t.nbdfuseSource("nbd://10.0.0.2:7001/r9@node:n1");
        assertThat(fuse.get(0)).isEqualTo("--command");
        assertThat(fuse).contains(NbdTransport.RELAY, "--connect", "10.0.0.2:7001", "--export", "r9@node:n1",
                "--tls-cert", real.cert().toString(), "--tls-key", real.key().toString(), "--tls-ca", real.ca().toString(),
                "--server-name", NbdTransport.SERVER_NAME).doesNotContain("nbd://10.0.0.2:7001/r9@node:n1");
        // nbdcopy gets a socket of this process (a 0700 directory) whose connections are relayed over TLS.
        Path proxied;
        try (var op = t.nbdcopyOperand("nbd://10.0.0.2:7001/r9")) {
            assertThat(op.uri()).startsWith("nbd+unix:///?socket=").doesNotContain("10.0.0.2");
            proxied = Path.of(op.uri().substring("nbd+unix:///?socket=".length()));
            assertThat(proxied).exists();
            assertThat(java.nio.file.Files.getPosixFilePermissions(proxied.getParent()))
                    .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                            java.nio.file.attribute.PosixFilePermission.OWNER_WRITE,
                            java.nio.file.attribute.PosixFilePermission.OWNER_EXECUTE);
        }
        assertThat(proxied).as("closed with the copy").doesNotExist();
        assertThat(t.nbdClientArgs("nbd://10.0.0.2:7001/r9", "/dev/nbd0")).containsExactly("nbd-client", "10.0.0.2",
                "7001", "/dev/nbd0", "-certfile", real.cert().toString(), "-keyfile", real.key().toString(), "-cacertfile",
                real.ca().toString(), "-tlshostname", NbdTransport.SERVER_NAME, "-name", "r9");
    }

    @Test
    void filesArePassedToNbdcopyAsTheyAre() throws Exception {
        try (var op = transport(Optional.of(TLS)).nbdcopyOperand("/var/lib/prescient/ssd/snapshots/s1.img")) {
            assertThat(op.uri()).isEqualTo("/var/lib/prescient/ssd/snapshots/s1.img");
            assertThat(op.resource()).isNull();
        }
    }

    @Test
    void withoutTlsMaterialRemoteExportsAreDialledAsGiven() throws Exception {
        NbdTransport t = transport(Optional.empty());
        assertThat(t.nbdfuseSource("nbd://10.0.0.2:7001/r9")).containsExactly("nbd://10.0.0.2:7001/r9");
        try (var op = t.nbdcopyOperand("nbd://10.0.0.2:7001/r9")) {
            assertThat(op.uri()).isEqualTo("nbd://10.0.0.2:7001/r9");
        }
        assertThat(NbdTransport.plain().nbdfuseSource("nbd://10.0.0.1:7001/r1")).containsExactly("nbd://10.0.0.1:7001/r1");
    }
}
