package dev.prescient.csi;

import csi.v1.Csi;
import csi.v1.IdentityGrpc;
import csi.v1.NodeGrpc;
import dev.prescient.api.nodeagent.v1.NodeAgentGrpc;
import dev.prescient.csi.server.UnixSocketServers;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A node-mode driver started as its own JVM (as kubelet would see it), with clients to it. */
final class NodeProcess implements AutoCloseable {
    final String nodeId;
    final Path root;
    final Path socket;
    final int agentPort;
    final Path kubeletDir;
    /** The --tier argument: name=dir[,name=dir...]. */
    String tiers;
    /** The --keeper-socket argument, or null: engines and nbdfuse are then this process's children. */
    Path keeperSocket;
    /** Directory with ca.crt, node.crt, node.key: mutual TLS for the agent and the engines; null: plaintext. */
    Path pki;
    /** Further driver flags. */
    final List<String> extraArgs = new ArrayList<>();
    private Process process;
    private ManagedChannel csiChannel;
    private ManagedChannel agentChannel;

    NodeProcess(String nodeId, Path root, Path kubeletDir) throws IOException {
        this.nodeId = nodeId;
        this.root = root;
        this.kubeletDir = kubeletDir;
        this.socket = root.resolve("csi.sock");
        try (ServerSocket s = new ServerSocket(0)) {
            this.agentPort = s.getLocalPort();
        }
        this.tiers = "default=" + root.resolve("tier");
    }

    static String classpath() throws IOException {
        return System.getProperty("csi.classes") + ":" + Files.readString(Path.of(System.getProperty("csi.classpathFile"))).strip();
    }

    NodeProcess start() throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", classpath(), "dev.prescient.csi.CsiDriverMain",
                "--mode", "node", "--endpoint", "unix://" + socket, "--node-id", nodeId, "--zone", "zone-" + nodeId,
                "--state-dir", root.resolve("state").toString(), "--tier", tiers,
                "--agent-listen", "127.0.0.1:" + agentPort, "--kubelet-dir", kubeletDir.toString(),
                "--heat-interval-ms", "300"));
        if (pki == null) {
            cmd.add("--agent-insecure");
        } else {
            cmd.addAll(List.of("--tls-cert", pki.resolve("node.crt").toString(), "--tls-key",
                    pki.resolve("node.key").toString(), "--tls-ca", pki.resolve("ca.crt").toString()));
        }
        if (keeperSocket != null) {
            cmd.addAll(List.of("--keeper-socket", keeperSocket.toString()));
        }
        cmd.addAll(extraArgs);
        Files.createDirectories(root);
        process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(root.resolve("node.log").toFile())).start();
        long deadline = System.currentTimeMillis() + 60_000;
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("node " + nodeId + " exited: " + Files.readString(root.resolve("node.log")));
            }
            if (Files.exists(socket)) {
                try {
                    csiChannel = UnixSocketServers.channel(socket);
                    if (IdentityGrpc.newBlockingStub(csiChannel).probe(Csi.ProbeRequest.getDefaultInstance()).getReady()
                            .getValue()) {
                        break;
                    }
                } catch (RuntimeException e) {
                    csiChannel.shutdownNow();
                }
            }
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("node " + nodeId + " not ready: " + Files.readString(root.resolve("node.log")));
            }
            Thread.sleep(200);
        }
        agentChannel = pki == null ? NettyChannelBuilder.forAddress("127.0.0.1", agentPort).usePlaintext().build()
                : new dev.prescient.csi.agent.AgentTls(pki.resolve("node.crt"), pki.resolve("node.key"),
                        pki.resolve("ca.crt"), false).channel("127.0.0.1:" + agentPort);
        return this;
    }

    NodeGrpc.NodeBlockingStub node() {
        return NodeGrpc.newBlockingStub(csiChannel);
    }

    NodeAgentGrpc.NodeAgentBlockingStub agent() {
        return NodeAgentGrpc.newBlockingStub(agentChannel);
    }

    /** SIGKILL: a crash, no shutdown hooks. */
    void kill() throws InterruptedException {
        closeChannels();
        process.destroyForcibly().waitFor();
    }

    /**
     * SIGKILL to the process and everything it started, as a container runtime does when the
     * plugin's container dies (it kills the container's whole cgroup).
     */
    void killWithDescendants() throws InterruptedException {
        closeChannels();
        List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
        all.add(process.toHandle());
        all.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle h : all) {
            try {
                h.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException("pid " + h.pid() + " survived SIGKILL", e);
            }
        }
    }

    long pid() {
        return process.pid();
    }

    private void closeChannels() {
        if (csiChannel != null) {
            csiChannel.shutdownNow();
        }
        if (agentChannel != null) {
            agentChannel.shutdownNow();
        }
    }

    @Override
    public void close() throws Exception {
        closeChannels();
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }
}
