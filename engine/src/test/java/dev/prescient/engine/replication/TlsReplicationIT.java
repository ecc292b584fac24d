package dev.prescient.engine.replication;

import dev.prescient.engine.BlockSink;
import dev.prescient.engine.store.LocalReplica;
import dev.prescient.engine.store.ReplicaStore;
import dev.prescient.engine.tls.TlsConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Mutual TLS with throwaway certificates made by the openssl command line at test time. */
class TlsReplicationIT {
    static final int BS = 4096;
    static final long SIZE = 8L << 20;

    @TempDir
    static Path dir;
    static ReplicaStore store;
    static LocalReplica replica;
    static ReplicationServer server;
    static final ReplicationSettings SETTINGS = ReplicationSettings.defaults().withTimeout(Duration.ofSeconds(5));

    static void openssl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add("openssl");
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("openssl %s: %s", cmd, out).isZero();
    }

    /** A CA and a certificate it signs for {@code name}, with EC P-256 keys in PKCS#8 PEM. */
    static void ca(String ca) throws Exception {
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", ca + ".key", "-out", ca + ".pem", "-days", "2", "-subj", "/CN=" + ca);
    }

    static void cert(String ca, String name) throws Exception {
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", name + ".key", "-out", name + ".csr", "-subj", "/CN=" + name);
        Files.writeString(dir.resolve(name + ".ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
        openssl("x509", "-req", "-in", name + ".csr", "-CA", ca + ".pem", "-CAkey", ca + ".key",
                "-CAcreateserial", "-out", name + ".pem", "-days", "2", "-extfile", name + ".ext");
    }

    @BeforeAll
    static void start() throws Exception {
        ca("ca");
        cert("ca", "node-a");
        cert("ca", "node-b");
        openssl("pkcs12", "-export", "-in", "node-b.pem", "-inkey", "node-b.key", "-name", "node-b",
                "-out", "node-b.p12", "-passout", "pass:secret");
        ca("rogue-ca");
        cert("rogue-ca", "intruder");

        store = new ReplicaStore(Map.of("ssd", dir.resolve("ssd")));
        replica = store.create("r1", "vol1", "ssd", SIZE);
        TlsConfig serverTls = TlsConfig.fromPem(dir.resolve("node-a.pem"), dir.resolve("node-a.key"), dir.resolve("ca.pem"));
        server = new ReplicationServer(store, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), serverTls);
    }

    @AfterAll
    static void stop() throws IOException {
        server.close();
        store.close();
    }

    @Test
    void aClientWithACertificateFromTheCaReplicatesOverTls() throws Exception {
        TlsConfig tls = TlsConfig.fromPem(dir.resolve("node-b.pem"), dir.resolve("node-b.key"), dir.resolve("ca.pem"));
        try (RemoteReplica r = RemoteReplica.connect(server.address(), "r1", tls, SETTINGS)) {
            ByteBuffer src = ReplicationIT.mixedVolume(SIZE, 21);
            BlockSink sink = r.openSink(BS);
            ReplicationIT.putAll(sink, src);
            sink.finish();
            assertThat(ReplicationIT.readAll(replica)).isEqualTo(src);
            ByteBuffer back = ByteBuffer.allocateDirect((int) SIZE);
            r.read(0, back);
            assertThat(back.flip()).isEqualTo(src);
        }
    }

    @Test
    void aPkcs12KeyStoreWorksToo() throws Exception {
        TlsConfig tls = TlsConfig.fromPkcs12(dir.resolve("node-b.p12"), "secret".toCharArray(), dir.resolve("ca.pem"));
        try (RemoteReplica r = RemoteReplica.connect(server.address(), "r1", tls, SETTINGS)) {
            ByteBuffer data = ReplicationIT.randomBytes(BS, 22);
            r.write(BS, data.duplicate(), true);
            ByteBuffer back = ByteBuffer.allocate(BS);
            replica.read(BS, back);
            assertThat(back.flip()).isEqualTo(data);
        }
    }

    @Test
    void aClientWithoutACertificateIsRefused() throws Exception {
        ByteBuffer before = ReplicationIT.readAll(replica);
        TlsConfig noCert = TlsConfig.trustOnly(dir.resolve("ca.pem"));
        assertThatThrownBy(() -> {
            try (RemoteReplica r = RemoteReplica.connect(server.address(), "r1", noCert, SETTINGS)) {
                r.write(0, ByteBuffer.allocate(BS), true);
            }
        }).isInstanceOf(IOException.class);
        assertThat(ReplicationIT.readAll(replica)).isEqualTo(before);
    }

    @Test
    void aClientWithACertificateFromAnotherCaIsRefused() throws Exception {
        ByteBuffer before = ReplicationIT.readAll(replica);
        // It trusts our CA (so it would accept the server) but its own certificate is signed by a rogue CA.
        TlsConfig rogue = TlsConfig.fromPem(dir.resolve("intruder.pem"), dir.resolve("intruder.key"), dir.resolve("ca.pem"));
        assertThatThrownBy(() -> {
            try (RemoteReplica r = RemoteReplica.connect(server.address(), "r1", rogue, SETTINGS)) {
                r.write(0, ByteBuffer.allocate(BS), true);
            }
        }).isInstanceOf(IOException.class);
        assertThat(ReplicationIT.readAll(replica)).isEqualTo(before);
    }

    @Test
    void aPlainTcpClientIsRefused() {
        assertThatThrownBy(() -> RemoteReplica.connect(server.address(), "r1", null, SETTINGS))
                .isInstanceOf(ReplicationException.class);
    }
}
