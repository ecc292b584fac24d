package dev.prescient.operator.it;

import dev.prescient.operator.agent.GrpcNodeAgentClient;
import dev.prescient.operator.agent.NodeAgentClient;
import dev.prescient.operator.agent.NodeAgentException;
import dev.prescient.operator.agent.NodeAgents;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * csi-driver node-mode processes (the jar the csi-driver module builds), each with an ssd and an hdd tier
 * directory under one root, their node agents on loopback with mutual TLS from openssl-made certificates, and the
 * operator's own {@link GrpcNodeAgentClient} to each: what the operator talks to in a cluster.
 */
final class RealNodes implements NodeAgents, AutoCloseable {

    record Node(String name, Path root, int port, Process process) {
    }

    final Path root;
    final GrpcNodeAgentClient.Tls operatorTls;
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final Map<String, GrpcNodeAgentClient> clients = new LinkedHashMap<>();

    RealNodes(Path root) throws Exception {
        this.root = root;
        Path pki = Files.createDirectories(root.resolve("pki"));
        sh(pki, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=prescient-it-ca");
        for (String who : List.of("node", "operator")) {
            sh(pki, "openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", who + ".key", "-out", who + ".csr", "-subj", "/CN=" + who);
            Files.writeString(pki.resolve(who + ".ext"), "subjectAltName=DNS:prescient-node-agent,DNS:localhost\n");
            sh(pki, "openssl", "x509", "-req", "-in", who + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key",
                    "-CAcreateserial", "-days", "2", "-out", who + ".crt", "-extfile", who + ".ext");
        }
        operatorTls = new GrpcNodeAgentClient.Tls(pki.resolve("operator.crt"), pki.resolve("operator.key"),
                pki.resolve("ca.crt"));
    }

    /** Why this IT cannot run here, or null: the csi-driver build and the host tools it needs. */
    static String missing() {
        String classes = System.getProperty("csi.classes");
        String cp = System.getProperty("csi.classpathFile");
        if (classes == null || cp == null || !Files.isDirectory(Path.of(classes)) || !Files.exists(Path.of(cp))) {
            return "the csi-driver module is not built (csi.classes=" + classes + ", csi.classpathFile=" + cp
                    + "): run ./mvnw -o -pl operator -am verify";
        }
        for (String tool : List.of("openssl", "nbdcopy")) {
            if (Stream.of(System.getenv("PATH").split(":")).noneMatch(d -> Files.isExecutable(Path.of(d, tool)))) {
                return tool + " is not installed";
            }
        }
        return null;
    }

    private static void sh(Path dir, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
    }

    Node start(String name) throws Exception {
        Path dir = Files.createDirectories(root.resolve(name));
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path pki = root.resolve("pki");
        String cp = System.getProperty("csi.classes") + ":"
                + Files.readString(Path.of(System.getProperty("csi.classpathFile"))).strip();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx192m", "-XX:TieredStopAtLevel=1", "-cp", cp, "dev.prescient.csi.CsiDriverMain",
                "--mode", "node", "--endpoint", "unix://" + dir.resolve("csi.sock"), "--node-id", name,
                "--zone", "zone-" + name, "--state-dir", dir.resolve("state").toString(),
                "--tier", "ssd=" + dir.resolve("ssd") + ",hdd=" + dir.resolve("hdd"),
                "--agent-listen", "127.0.0.1:" + port, "--kubelet-dir", dir.resolve("kubelet").toString(),
                "--tls-cert", pki.resolve("node.crt").toString(), "--tls-key", pki.resolve("node.key").toString(),
                "--tls-ca", pki.resolve("ca.crt").toString(), "--heat-interval-ms", "500"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("node.log").toFile())).start();
        Node n = new Node(name, dir, port, p);
        nodes.put(name, n);
        long deadline = System.currentTimeMillis() + 90_000;
        while (true) {
            if (!p.isAlive()) {
                throw new IllegalStateException(name + " exited: " + Files.readString(dir.resolve("node.log")));
            }
            try {
                forNode(name).getNodeHealth();
                return n;
            } catch (NodeAgentException e) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException(name + " agent not answering: " + e.getMessage() + "\n"
                            + Files.readString(dir.resolve("node.log")));
                }
                Thread.sleep(300);
            }
        }
    }

    Node node(String name) {
        return nodes.get(name);
    }

    @Override
    public synchronized NodeAgentClient forNode(String node) {
        Node n = nodes.get(node);
        if (n == null) {
            throw new NodeAgentException(NodeAgentException.Reason.Unavailable, node, "no such node in this IT");
        }
        return clients.computeIfAbsent(node, k -> new GrpcNodeAgentClient(node, "127.0.0.1:" + n.port(),
                operatorTls, Duration.ofSeconds(30)));
    }

    @Override
    public String replicationAddress(String node) {
        return "127.0.0.1:" + nodes.get(node).port();
    }

    String log(String node) throws IOException {
        Path f = nodes.get(node).root().resolve("node.log");
        return Files.exists(f) ? Files.readString(f) : "";
    }

    @Override
    public void close() throws Exception {
        clients.values().forEach(GrpcNodeAgentClient::close);
        for (Node n : nodes.values()) {
            n.process().destroy();
        }
        for (Node n : nodes.values()) {
            if (!n.process().waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                n.process().destroyForcibly().waitFor();
            }
        }
        // Engine exports run detached from the node process (they survive a plugin restart): end the ones
        // started under this root, by pid, so nothing is left behind.
        String r = root.toAbsolutePath().toString();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(x -> x.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    String cmd = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
                    if (cmd.contains("dev.prescient.engine.EngineMain") && cmd.contains(r)) {
                        ProcessHandle.of(Long.parseLong(p.getFileName().toString()))
                                .ifPresent(ProcessHandle::destroyForcibly);
                    }
                } catch (IOException ignored) {
                    // ended while we looked
                }
            }
        }
    }
}
