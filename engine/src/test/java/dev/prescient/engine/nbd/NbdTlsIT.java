package dev.prescient.engine.nbd;

import static dev.prescient.engine.nbd.NbdProtocol.*;
import static dev.prescient.engine.nbd.Proc.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prescient.engine.faults.EngineProcess;
import dev.prescient.engine.replication.RemoteReplica;
import dev.prescient.engine.replication.ReplicationSettings;
import dev.prescient.engine.tls.TlsConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * NBD with mandatory mutual TLS on the engine's TCP listener, driven by libnbd's own tools (nbdinfo,
 * nbdcopy, nbdfuse) against an {@link dev.prescient.engine.EngineMain} process, with certificates made by
 * the openssl command line the way Helm's genCA/genSignedCert makes them (RSA, PKCS#1 keys, SAN
 * DNS:prescient-node-agent). The certificate also names IP:127.0.0.1: libnbd (1.14, Debian 12) checks
 * the server certificate against the host of the URI, and has no URI parameter to name another host or
 * to turn the check off; see {@link #aServerCertificateWithoutTheAddressFailsLibnbdsHostCheck}.
 */
@Timeout(300)
class NbdTlsIT {
    static final long SIZE = 16 << 20;

    @TempDir
    static Path dir;
    static EngineProcess engine;
    static int port;
    static int replicationPort;
    static Path sock;
    /** libnbd's certificate directory: ca-cert.pem, client-cert.pem, client-key.pem. */
    static Path clientDir;
    static Path rogueDir;
    static Path noCertDir;

    static void openssl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add("openssl");
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("%s: %s", cmd, out).isZero();
    }

    /** A self-signed CA with an RSA key in PKCS#1 PEM ("BEGIN RSA PRIVATE KEY"), as Helm's genCA. */
    static void ca(String name) throws Exception {
        openssl("genrsa", "-traditional", "-out", name + ".key", "2048");
        openssl("req", "-x509", "-new", "-key", name + ".key", "-out", name + ".pem", "-days", "2", "-subj", "/CN=" + name);
    }

    /** A certificate signed by {@code ca} for both server and client use, as Helm's genSignedCert. */
    static void cert(String ca, String name, String san) throws Exception {
        openssl("genrsa", "-traditional", "-out", name + ".key", "2048");
        openssl("req", "-new", "-key", name + ".key", "-out", name + ".csr", "-subj", "/CN=prescient-node-agent");
        Files.writeString(dir.resolve(name + ".ext"), "subjectAltName=" + san + "\n"
                + "keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\n");
        openssl("x509", "-req", "-in", name + ".csr", "-CA", ca + ".pem", "-CAkey", ca + ".key", "-CAcreateserial",
                "-out", name + ".pem", "-days", "2", "-extfile", name + ".ext");
    }

    static Path libnbdDir(String name, String ca, String cert) throws IOException {
        Path d = Files.createDirectories(dir.resolve(name));
        Files.copy(dir.resolve(ca + ".pem"), d.resolve("ca-cert.pem"));
        if (cert != null) {
            Files.copy(dir.resolve(cert + ".pem"), d.resolve("client-cert.pem"));
            Files.copy(dir.resolve(cert + ".key"), d.resolve("client-key.pem"));
        }
        return d;
    }

    @BeforeAll
    static void start() throws Exception {
        ca("ca");
        cert("ca", "node", "DNS:prescient-node-agent,IP:127.0.0.1");
        assertThat(Files.readString(dir.resolve("node.key"))).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        ca("rogue-ca");
        cert("rogue-ca", "intruder", "DNS:prescient-node-agent,IP:127.0.0.1");
        clientDir = libnbdDir("client", "ca", "node");
        // Trusts our CA, so it would accept the server, but its own certificate comes from another CA.
        rogueDir = libnbdDir("rogue", "ca", "intruder");
        noCertDir = libnbdDir("no-cert", "ca", null);
        sock = dir.resolve("run").resolve("r0.sock");
        Files.createDirectories(sock.getParent());
        engine = EngineProcess.start(EngineProcess.AGENT_JVM, "--tier", "fast=" + dir.resolve("fast"),
                "--replica", "r0:vol:fast:16M", "--unix", sock.toString(), "--tcp", "127.0.0.1:0",
                "--replication-listen", "127.0.0.1:0",
                "--nbd-tls-cert", dir.resolve("node.pem").toString(), "--nbd-tls-key", dir.resolve("node.key").toString(),
                "--nbd-tls-ca", dir.resolve("ca.pem").toString());
        port = Integer.parseInt(engine.line("tcp ").substring(4));
        replicationPort = Integer.parseInt(engine.line("replication ").substring(12));
    }

    @AfterAll
    static void stop() throws Exception {
        if (engine != null) {
            engine.stop();
        }
    }

    static String tlsUri(Path certs) {
        return "nbds://127.0.0.1:" + port + "/r0?tls-certificates=" + certs;
    }

    static Proc.Result run(Map<String, String> env, String... cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Proc.Result(p.exitValue(), out);
    }

    /** The server still serves TLS clients (after whatever a test did to it). */
    static void stillServes() throws Exception {
        assertThat(ok("nbdinfo", "--size", tlsUri(clientDir)).trim()).isEqualTo(String.valueOf(SIZE));
        assertThat(engine.process.isAlive()).isTrue();
    }

    /** The nbdfuse command line that attaches the export over TLS with the client directory's certificate. */
    static List<String> nbdfuseOverTls(Path file, String... nbdfuseOptions) {
        List<String> cmd = new ArrayList<>(List.of("nbdfuse"));
        cmd.addAll(List.of(nbdfuseOptions));
        cmd.addAll(List.of(file.toString(), "[", "nbdkit", "nbd", "hostname=127.0.0.1", "port=" + port, "export=r0",
                "tls=require", "tls-certificates=" + clientDir, "]"));
        return cmd;
    }

    /** True when the server closes the connection (after an alert, perhaps) within a few seconds. */
    static boolean hangsUp(NbdClient c) throws Exception {
        c.channel().socket().setSoTimeout(10_000);
        java.io.InputStream in = c.channel().socket().getInputStream();
        byte[] b = new byte[4096];
        try {
            for (int total = 0; total < 1 << 20; ) {
                int n = in.read(b);
                if (n < 0) {
                    return true;
                }
                total += n;
            }
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
        return false;
    }

    static String sha256(Path f) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
    }

    @Test
    void aPlainClientIsRefusedBecauseTlsIsRequired() throws Exception {
        String plain = "nbd://127.0.0.1:" + port + "/r0";
        // libnbd 1.14 reports TLS_REQD as "Operation not supported"; the server's reason is in its debug output.
        Proc.Result r = run(Map.of("LIBNBD_DEBUG", "1"), "nbdinfo", plain);
        assertThat(r.exit()).as(r.output()).isNotZero();
        assertThat(r.output()).contains("TLS is required").doesNotContain("export-size");
        Proc.Result list = Proc.run("nbdinfo", "--list", "nbd://127.0.0.1:" + port);
        assertThat(list.exit()).isNotZero();
        assertThat(list.output()).doesNotContain("r0\"");
        stillServes();
    }

    @Test
    void beforeStartTlsEveryOptionButAbortGetsTlsRequiredAndExportNameCloses() throws Exception {
        InetSocketAddress tcp = new InetSocketAddress("127.0.0.1", port);
        try (NbdClient c = NbdClient.connectRaw(tcp)) {
            c.greeting();
            c.sendClientFlags(FLAG_FIXED_NEWSTYLE | FLAG_NO_ZEROES);
            c.sendOption(OPT_LIST, null);
            assertThat(c.readOptReply().type()).isEqualTo(REP_ERR_TLS_REQD);
            byte[] n = "r0".getBytes(StandardCharsets.UTF_8);
            c.sendOption(OPT_GO, ByteBuffer.allocate(6 + n.length).putInt(n.length).put(n).putShort((short) 0).flip());
            NbdClient.OptReply go = c.readOptReply();
            assertThat(go.type()).isEqualTo(REP_ERR_TLS_REQD);
            assertThat(StandardCharsets.UTF_8.decode(go.data()).toString()).contains("TLS is required");
            c.sendOption(OPT_STARTTLS, ByteBuffer.wrap(new byte[] {1}));
            assertThat(c.readOptReply().type()).as("STARTTLS with data").isEqualTo(REP_ERR_INVALID);
            c.sendOption(OPT_EXPORT_NAME, ByteBuffer.wrap(n));
            assertThat(hangsUp(c)).as("EXPORT_NAME cannot carry an error: the server hangs up").isTrue();
        }
        try (NbdClient c = NbdClient.connectRaw(tcp)) {
            c.greeting();
            c.sendClientFlags(FLAG_FIXED_NEWSTYLE);
            c.sendOption(OPT_ABORT, null);
            assertThat(c.readOptReply().type()).isEqualTo(REP_ACK);
        }
        stillServes();
    }

    @Test
    void nbdinfoAndNbdcopyReadAndWriteOverTls() throws Exception {
        Proc.Result info = Proc.run("nbdinfo", tlsUri(clientDir));
        assertThat(info.exit()).as(info.output()).isZero();
        assertThat(info.output()).contains("with TLS").contains("export-size: " + SIZE).contains("can_fua: true");
        byte[] data = new byte[(int) SIZE];
        new Random(42).nextBytes(data);
        Path src = dir.resolve("src.img");
        Files.write(src, data);
        ok("nbdcopy", src.toString(), tlsUri(clientDir));
        Path back = dir.resolve("back.img");
        ok("nbdcopy", tlsUri(clientDir), back.toString());
        assertThat(sha256(back)).isEqualTo(sha256(src));
        // The same bytes through the plain UNIX socket: TLS changed the transport, not the data.
        Path viaUnix = dir.resolve("via-unix.img");
        ok("nbdcopy", "nbd+unix:///r0?socket=" + sock, viaUnix.toString());
        assertThat(sha256(viaUnix)).isEqualTo(sha256(src));
    }

    @Test
    void aClientCertificateFromAnotherCaIsRefused() throws Exception {
        Proc.Result r = Proc.run("nbdinfo", "--size", tlsUri(rogueDir));
        assertThat(r.exit()).as(r.output()).isNotZero();
        assertThat(r.output()).doesNotContain(String.valueOf(SIZE));
        Proc.Result none = Proc.run("nbdinfo", "--size", tlsUri(noCertDir));
        assertThat(none.exit()).as("no client certificate: " + none.output()).isNotZero();
        stillServes();
    }

    @Test
    void garbageInsteadOfAClientHelloLosesOnlyItsOwnConnection() throws Exception {
        // An attached client over TLS (nbdfuse keeps its connection open) must not notice. nbdfuse 1.14 refuses
        // tls-certificates in a URI ("local file access is not allowed"), so it reaches the engine through
        // nbdkit's nbd plugin, socket-activated: nbdfuse -> UNIX socket -> nbdkit -> TLS -> engine.
        Path fuse = Files.createDirectories(dir.resolve("fuse"));
        Process nbdfuse = new ProcessBuilder(nbdfuseOverTls(fuse.resolve("disk"), "-r"))
                .redirectErrorStream(true).redirectOutput(dir.resolve("nbdfuse.log").toFile()).start();
        try {
            Path disk = fuse.resolve("disk");
            for (int i = 0; i < 200 && !Files.exists(disk); i++) {
                Thread.sleep(50);
            }
            assertThat(Files.exists(disk)).as("nbdfuse over TLS: %s", Files.readString(dir.resolve("nbdfuse.log"))).isTrue();
            byte[] before = Files.readAllBytes(disk);

            try (NbdClient c = NbdClient.connectRaw(new InetSocketAddress("127.0.0.1", port))) {
                c.greeting();
                c.sendClientFlags(FLAG_FIXED_NEWSTYLE | FLAG_NO_ZEROES);
                c.sendOption(OPT_STARTTLS, null);
                assertThat(c.readOptReply().type()).isEqualTo(REP_ACK);
                byte[] garbage = new byte[4096];
                new Random(7).nextBytes(garbage);
                c.write(ByteBuffer.wrap(garbage));
                assertThat(hangsUp(c)).isTrue();
            }
            // A client that stops talking after STARTTLS is closed by the handshake watchdog, not kept forever;
            // here it only must not disturb the others.
            try (NbdClient silent = NbdClient.connectRaw(new InetSocketAddress("127.0.0.1", port))) {
                silent.greeting();
                silent.sendClientFlags(FLAG_FIXED_NEWSTYLE);
                silent.sendOption(OPT_STARTTLS, null);
                assertThat(silent.readOptReply().type()).isEqualTo(REP_ACK);
                assertThat(Files.readAllBytes(disk)).isEqualTo(before);
            }
            assertThat(Files.readAllBytes(disk)).isEqualTo(before);
            stillServes();
        } finally {
            Proc.run("umount", fuse.toString());
            if (!nbdfuse.waitFor(10, TimeUnit.SECONDS)) {
                nbdfuse.destroyForcibly();
            }
        }
    }

    @Test
    void theUnixSocketStaysPlainAndOnlyItsOwnerMayConnect() throws Exception {
        assertThat(ok("nbdinfo", "--size", "nbd+unix:///r0?socket=" + sock).trim()).isEqualTo(String.valueOf(SIZE));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(sock))).isEqualTo("rw-------");
        try (NbdClient c = NbdClient.connectRaw(sock)) {
            c.greeting();
            c.sendClientFlags(FLAG_FIXED_NEWSTYLE);
            c.sendOption(OPT_STARTTLS, null);
            assertThat(c.readOptReply().type()).as("no TLS on the UNIX socket").isEqualTo(REP_ERR_POLICY);
        }
        try (var files = Files.list(sock.getParent())) {
            assertThat(files.map(p -> p.getFileName().toString())).as("no temporary directory left").containsExactly("r0.sock");
        }
    }

    /**
     * What libnbd does with a node certificate that names only the service: the URI's host is an
     * address, GnuTLS checks it against the certificate's IP SANs, and the handshake fails.
     */
    @Test
    void aServerCertificateWithoutTheAddressFailsLibnbdsHostCheck() throws Exception {
        cert("ca", "dns-only", "DNS:prescient-node-agent");
        Path fast = Files.createDirectories(dir.resolve("fast2"));
        try (EngineProcess other = EngineProcess.start(EngineProcess.AGENT_JVM, "--tier", "fast=" + fast,
                "--replica", "r0:vol:fast:1M", "--tcp", "127.0.0.1:0",
                "--nbd-tls-cert", dir.resolve("dns-only.pem").toString(),
                "--nbd-tls-key", dir.resolve("dns-only.key").toString(), "--nbd-tls-ca", dir.resolve("ca.pem").toString())) {
            String uri = "nbds://127.0.0.1:" + other.line("tcp ").substring(4) + "/r0?tls-certificates=" + clientDir;
            Proc.Result r = Proc.run("nbdinfo", "--size", uri);
            assertThat(r.exit()).isNotZero();
            assertThat(r.output()).contains("certificate verification");
            other.stop();
        }
    }

    @Test
    void replicationListenerRequiresAClientCertificateFromTheCa() throws Exception {
        InetSocketAddress repl = new InetSocketAddress("127.0.0.1", replicationPort);
        ReplicationSettings s = ReplicationSettings.defaults().withTimeout(Duration.ofSeconds(5));
        TlsConfig noCert = TlsConfig.trustOnly(dir.resolve("ca.pem"));
        assertThatThrownBy(() -> {
            try (RemoteReplica r = RemoteReplica.connect(repl, "r0", noCert, s)) {
                r.write(0, ByteBuffer.allocate(4096), true);
            }
        }).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> RemoteReplica.connect(repl, "r0", null, s)).isInstanceOf(IOException.class);
        TlsConfig rogue = TlsConfig.fromPem(dir.resolve("intruder.pem"), dir.resolve("intruder.key"), dir.resolve("ca.pem"));
        assertThatThrownBy(() -> {
            try (RemoteReplica r = RemoteReplica.connect(repl, "r0", rogue, s)) {
                r.write(0, ByteBuffer.allocate(4096), true);
            }
        }).isInstanceOf(IOException.class);
        // The node's own PKCS#1 material, as a peer engine would present it, reads the volume.
        TlsConfig node = TlsConfig.fromPem(dir.resolve("node.pem"), dir.resolve("node.key"), dir.resolve("ca.pem"));
        try (RemoteReplica r = RemoteReplica.connect(repl, "r0", node, s)) {
            assertThat(r.size()).isEqualTo(SIZE);
            ByteBuffer b = ByteBuffer.allocate(4096);
            r.read(0, b);
        }
        stillServes();
    }
}
