package dev.prescient.engine.nbd;

import static dev.prescient.engine.nbd.Proc.ok;
import static org.assertj.core.api.Assertions.assertThat;

import dev.prescient.engine.faults.EngineProcess;
import dev.prescient.engine.heat.HeatSnapshotFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link NbdTlsRelay} under libnbd's own nbdfuse ({@code --command}), against {@link dev.prescient.engine.EngineMain}
 * processes with certificates made like Helm's (see {@link NbdTlsIT}). The engine's certificate names only
 * {@code DNS:prescient-node-agent}, as in a cluster, where libnbd alone fails its host check
 * ({@link NbdTlsIT#aServerCertificateWithoutTheAddressFailsLibnbdsHostCheck}).
 */
@Timeout(300)
class NbdTlsRelayIT {
    static final long SIZE = 16 << 20;
    /** What a caller gives the relay's JVM (see NbdTlsRelay and the engine README). */
    static final List<String> RELAY_JVM = List.of("-Xmx32m", "-Xss512k", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-XX:-UsePerfData", "-Xshare:auto");

    @TempDir
    static Path dir;
    static EngineProcess engine;
    static int port;
    static Path sock;

    @BeforeAll
    static void start() throws Exception {
        NbdTlsIT.dir = dir;
        NbdTlsIT.ca("ca");
        NbdTlsIT.cert("ca", "node", "DNS:prescient-node-agent");
        NbdTlsIT.ca("rogue-ca");
        NbdTlsIT.cert("rogue-ca", "foreign", "DNS:prescient-node-agent,IP:127.0.0.1");
        // Right CA, subject CN=prescient-node-agent, but no DNS SAN: RFC 2818 matching alone would accept the CN.
        NbdTlsIT.cert("ca", "ip-only", "IP:127.0.0.1");
        sock = dir.resolve("run").resolve("r0.sock");
        Files.createDirectories(sock.getParent());
        Files.createDirectories(dir.resolve("heat"));
        engine = EngineProcess.start(EngineProcess.AGENT_JVM, "--tier", "fast=" + dir.resolve("fast"),
                "--replica", "r0:vol:fast:16M", "--unix", sock.toString(), "--tcp", "127.0.0.1:0",
                "--heat-dir", dir.resolve("heat").toString(), "--heat-interval-ms", "200",
                "--nbd-tls-cert", dir.resolve("node.pem").toString(), "--nbd-tls-key", dir.resolve("node.key").toString(),
                "--nbd-tls-ca", dir.resolve("ca.pem").toString());
        port = Integer.parseInt(engine.line("tcp ").substring(4));
    }

    @AfterAll
    static void stop() throws Exception {
        if (engine != null) {
            engine.stop();
        }
    }

    /** The relay command, with the node certificate as client certificate (as the node plugin would run it). */
    static List<String> relay(int port, String export, String... more) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(RELAY_JVM);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), NbdTlsRelay.class.getName(),
                "--connect", "127.0.0.1:" + port, "--export", export,
                "--tls-cert", dir.resolve("node.pem").toString(), "--tls-key", dir.resolve("node.key").toString(),
                "--tls-ca", dir.resolve("ca.pem").toString()));
        cmd.addAll(List.of(more));
        return cmd;
    }

    static List<String> nbdfuse(Path file, List<String> relay) {
        List<String> cmd = new ArrayList<>(List.of("nbdfuse", file.toString(), "--command"));
        cmd.addAll(relay);
        return cmd;
    }

    /** Mounts; returns the running nbdfuse once its file exists. */
    static Process mount(Path file, List<String> relay, Path log) throws Exception {
        Files.createDirectories(file.getParent());
        Process p = new ProcessBuilder(nbdfuse(file, relay)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        for (int i = 0; i < 600 && !Files.exists(file) && p.isAlive(); i++) {
            Thread.sleep(100);
        }
        assertThat(Files.exists(file)).as("nbdfuse through the relay: %s", Files.readString(log)).isTrue();
        return p;
    }

    static void unmount(Path mnt, Process nbdfuse) throws Exception {
        Proc.run("umount", mnt.toString());
        if (!nbdfuse.waitFor(30, TimeUnit.SECONDS)) {
            nbdfuse.destroyForcibly();
        }
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    static boolean mounted(Path mnt) throws Exception {
        return Files.readAllLines(Path.of("/proc/self/mounts")).stream().anyMatch(l -> l.contains(" " + mnt + " "));
    }

    /** nbdfuse cannot mount: it fails, mounts nothing, and the relay's message says why. */
    static String refused(String name, List<String> relay) throws Exception {
        Path mnt = Files.createDirectories(dir.resolve(name));
        Process p = new ProcessBuilder(nbdfuse(mnt.resolve("nbd"), relay)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isNotZero();
        assertThat(mounted(mnt)).as(out).isFalse();
        assertThat(Files.exists(mnt.resolve("nbd"))).isFalse();
        return out;
    }

    /** The relay alone, stdin closed: for failures before it greets a client (connect). */
    static Proc.Result relayAlone(List<String> relay) throws Exception {
        Process p = new ProcessBuilder(relay).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Proc.Result(p.exitValue(), out);
    }

    static boolean zombie(Path stat) {
        try {
            String s = Files.readString(stat);
            return s.substring(s.lastIndexOf(')') + 2).startsWith("Z");
        } catch (java.io.IOException e) {
            return true; // gone
        }
    }

    @Test
    void nbdfuseWritesAndReadsThroughTheRelayAndTheEngineAttributesTheConsumer() throws Exception {
        Path mnt = dir.resolve("mnt");
        Path file = mnt.resolve("nbd");
        Process fuse = mount(file, relay(port, "r0@node:n2"), dir.resolve("fuse.log"));
        try {
            assertThat(Files.size(file)).isEqualTo(SIZE);
            byte[] data = new byte[(int) SIZE];
            new Random(42).nextBytes(data);
            Path src = dir.resolve("src.img");
            Files.write(src, data);
            ok("dd", "if=" + src, "of=" + file, "bs=1M", "conv=fsync,notrunc");
            ok("dd", "if=" + file, "of=" + dir.resolve("back.img"), "bs=1M", "iflag=direct");
            assertThat(sha256(Files.readAllBytes(dir.resolve("back.img")))).isEqualTo(sha256(data));
        } finally {
            unmount(mnt, fuse);
        }
        assertThat(fuse.exitValue()).as(Files.readString(dir.resolve("fuse.log"))).isZero();
        // It reached the engine: the same bytes over its plain UNIX socket.
        Path viaUnix = dir.resolve("via-unix.img");
        ok("nbdcopy", "nbd+unix:///r0?socket=" + sock, viaUnix.toString());
        assertThat(sha256(Files.readAllBytes(viaUnix))).isEqualTo(sha256(Files.readAllBytes(dir.resolve("src.img"))));
        // nbdfuse asked for "", the relay asked for r0@node:n2, and the engine's heat names consumer node:n2.
        Path heat = dir.resolve("heat").resolve("r0.heat");
        for (int i = 0; i < 100 && !(Files.exists(heat) && HeatSnapshotFile.read(heat).consumers().containsKey("node:n2")); i++) {
            Thread.sleep(100);
        }
        assertThat(HeatSnapshotFile.read(heat).consumers()).containsKey("node:n2");
        assertThat(HeatSnapshotFile.read(heat).consumers().get("node:n2").writes()).isPositive();
    }

    @Test
    void aServerCertificateWithoutTheDnsNameIsRefused() throws Exception {
        Path fast = Files.createDirectories(dir.resolve("fast-ip-only"));
        try (EngineProcess other = EngineProcess.start(EngineProcess.AGENT_JVM, "--tier", "fast=" + fast,
                "--replica", "r0:vol:fast:1M", "--tcp", "127.0.0.1:0",
                "--nbd-tls-cert", dir.resolve("ip-only.pem").toString(),
                "--nbd-tls-key", dir.resolve("ip-only.key").toString(), "--nbd-tls-ca", dir.resolve("ca.pem").toString())) {
            int otherPort = Integer.parseInt(other.line("tcp ").substring(4));
            String out = refused("mnt-ip-only", relay(otherPort, "r0@node:n2"));
            assertThat(out).contains("no DNS subject alternative name prescient-node-agent").contains("IP:127.0.0.1");
            other.stop();
        }
        // The right certificate but another expected name.
        String out = refused("mnt-other-name", relay(port, "r0", "--server-name", "other-service"));
        assertThat(out).contains("TLS with 127.0.0.1:" + port + " failed").contains("other-service");
    }

    @Test
    void aServerCertificateFromAnotherCaIsRefused() throws Exception {
        Path fast = Files.createDirectories(dir.resolve("fast-foreign"));
        try (EngineProcess other = EngineProcess.start(EngineProcess.AGENT_JVM, "--tier", "fast=" + fast,
                "--replica", "r0:vol:fast:1M", "--tcp", "127.0.0.1:0",
                "--nbd-tls-cert", dir.resolve("foreign.pem").toString(),
                "--nbd-tls-key", dir.resolve("foreign.key").toString(), "--nbd-tls-ca", dir.resolve("ca.pem").toString())) {
            int otherPort = Integer.parseInt(other.line("tcp ").substring(4));
            String out = refused("mnt-foreign", relay(otherPort, "r0"));
            assertThat(out).contains("TLS with 127.0.0.1:" + otherPort + " failed").contains("PKIX path");
            other.stop();
        }
    }

    @Test
    void anEngineWithoutTlsIsRefusedWithoutAPlainFallback() throws Exception {
        Path fast = Files.createDirectories(dir.resolve("fast-plain"));
        try (EngineProcess plain = EngineProcess.start(EngineProcess.AGENT_JVM, "--tier", "fast=" + fast,
                "--replica", "r0:vol:fast:1M", "--tcp", "127.0.0.1:0")) {
            int plainPort = Integer.parseInt(plain.line("tcp ").substring(4));
            String out = refused("mnt-plain", relay(plainPort, "r0"));
            assertThat(out).contains("refused STARTTLS (NBD_REP_ERR_POLICY").contains("not falling back to plain NBD");
            plain.stop();
        }
    }

    @Test
    void nothingListeningIsAClearFailure() throws Exception {
        Proc.Result r = relayAlone(relay(1, "r0"));
        assertThat(r.exit()).as(r.output()).isEqualTo(NbdTlsRelay.FAILED);
        assertThat(r.output()).contains("cannot connect to 127.0.0.1:1");
    }

    @Test
    void killingTheRelayFailsTheClientsIoInsteadOfHidingIt() throws Exception {
        Path mnt = dir.resolve("mnt-kill");
        Path file = mnt.resolve("nbd");
        Process fuse = mount(file, relay(port, "r0@node:n3"), dir.resolve("fuse-kill.log"));
        try {
            ok("dd", "if=" + file, "of=/dev/null", "bs=64k", "count=1", "iflag=direct");
            List<ProcessHandle> relays = fuse.descendants()
                    .filter(h -> h.info().commandLine().orElse("").contains(NbdTlsRelay.class.getName())).toList();
            assertThat(relays).hasSize(1);
            relays.get(0).destroyForcibly();
            // nbdfuse reaps its command only when it closes, so the relay stays a zombie until the unmount.
            Path stat = Path.of("/proc", String.valueOf(relays.get(0).pid()), "stat");
            for (int i = 0; i < 100 && Files.exists(stat) && !zombie(stat); i++) {
                Thread.sleep(100);
            }
            assertThat(!Files.exists(stat) || zombie(stat)).as("the relay is dead").isTrue();
            Proc.Result read = Proc.run("dd", "if=" + file, "of=/dev/null", "bs=64k", "count=1", "skip=8", "iflag=direct");
            assertThat(read.exit()).as(read.output()).isNotZero();
            Proc.Result write = Proc.run("dd", "if=/dev/zero", "of=" + file, "bs=64k", "count=1", "seek=8",
                    "oflag=direct", "conv=notrunc,fsync");
            assertThat(write.exit()).as(write.output()).isNotZero();
        } finally {
            unmount(mnt, fuse);
        }
        assertThat(engine.process.isAlive()).isTrue();
    }
}
