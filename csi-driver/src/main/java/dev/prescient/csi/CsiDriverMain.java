package dev.prescient.csi;

import dev.prescient.csi.agent.AgentTls;
import dev.prescient.csi.controller.ControllerService;
import dev.prescient.csi.controller.InMemoryVolumeRegistry;
import dev.prescient.csi.controller.KubeNodeAgents;
import dev.prescient.csi.controller.KubeVolumeRegistry;
import dev.prescient.csi.controller.NodeAgents;
import dev.prescient.csi.controller.StaticNodeAgents;
import dev.prescient.csi.controller.VolumeRegistry;
import dev.prescient.csi.controller.VolumeSizing;
import dev.prescient.csi.identity.IdentityService;
import dev.prescient.csi.keeper.ProcessKeeper;
import dev.prescient.csi.node.NodeMode;
import dev.prescient.csi.server.UnixSocketServers;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.grpc.Server;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * Entry point of both modes. The flags are declared in {@link DriverArgs} ({@code --help} lists
 * them); an unknown flag, a missing one or a bad value prints the usage and exits with status 2
 * before anything starts.
 *
 * <pre>
 * controller: --mode controller --endpoint unix:///csi/csi.sock
 *             [--node-agents n1=10.0.0.5:7443@zone-a,...]   (default: discover them from StorageNodes)
 *             [--registry kube|memory] [--namespace prescient-system] [--max-volume-bytes N] [--kubeconfig F]
 *             [--tls-cert c.pem --tls-key k.pem --tls-ca ca.pem | --agent-insecure]
 * node:       --mode node --endpoint unix:///csi/csi.sock --node-id n1 --zone zone-a
 *             --state-dir /var/lib/prescient --tier default=/var/lib/prescient/tiers/default [--tier ...]
 *             [--agent-listen 0.0.0.0:7443] [--metrics-listen 0.0.0.0:9610] [--kubelet-dir /var/lib/kubelet]
 *             [--max-volumes 64]
 *             [--tls-cert ... | --agent-insecure] [--keeper-socket /var/lib/prescient/keeper/keeper.sock]
 * keeper:     --mode keeper --keeper-socket /var/lib/prescient/keeper/keeper.sock
 * </pre>
 */
public final class CsiDriverMain {
    private static final Logger LOG = LoggerFactory.getLogger(CsiDriverMain.class);

    private CsiDriverMain() {
    }

    /** Exit status of a usage error (unknown flag, missing or bad value), as getopt-style tools use. */
    static final int USAGE_ERROR = 2;

    /** The arguments to run with, or (args null) the status to exit with after printing help or a usage error. */
    record Parsed(DriverArgs args, int exitStatus) {
    }

    static Parsed parse(String[] argv, PrintWriter out, PrintWriter err) {
        CommandLine cl = DriverArgs.commandLine();
        try {
            var parsed = DriverArgs.parse(cl, argv);
            if (parsed.isEmpty()) {
                cl.usage(out);
                out.flush();
                return new Parsed(null, 0);
            }
            parsed.get().requireForMode();
            return new Parsed(parsed.get(), 0);
        } catch (CommandLine.ParameterException | IllegalArgumentException e) {
            err.println("prescient-csi: " + e.getMessage());
            cl.usage(err);
            err.flush();
            return new Parsed(null, USAGE_ERROR);
        }
    }

    public static void main(String[] argv) throws Exception {
        Parsed parsed = parse(argv, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
        if (parsed.args() == null) {
            System.exit(parsed.exitStatus());
        }
        try {
            run(parsed.args());
        } catch (IllegalArgumentException e) {
            // A value only the mode's wiring can judge (a tier named twice, a wildcard without --agent-advertise):
            // still the user's to fix, so a usage error rather than a stack trace.
            System.err.println("prescient-csi: " + e.getMessage() + " (prescient-csi --help lists the flags)");
            System.exit(USAGE_ERROR);
        }
    }

    private static void run(DriverArgs args) throws Exception {
        String mode = args.require("mode");
        if (mode.equals("keeper")) {
            runKeeper(Path.of(args.require("keeper-socket")));
            return;
        }
        Path socket = UnixSocketServers.socketPath(args.require("endpoint"));
        String kubeconfig = args.get("kubeconfig", "");
        if (!kubeconfig.isEmpty()) {
            if (!Files.isReadable(Path.of(kubeconfig))) {
                throw new IllegalArgumentException("--kubeconfig " + kubeconfig + " is not a readable file");
            }
            // fabric8's Config reads this property before KUBECONFIG and ~/.kube/config.
            System.setProperty("kubeconfig", kubeconfig);
        }
        AgentTls tls = tls(args);
        Server server;
        Runnable onStop;
        switch (mode) {
            case "controller" -> {
                String registryKind = args.get("registry", "kube");
                String staticAgents = args.get("node-agents", "");
                boolean needKube = registryKind.equals("kube") || staticAgents.isEmpty();
                KubernetesClient kube = needKube ? new KubernetesClientBuilder().build() : null;
                VolumeRegistry registry = switch (registryKind) {
                    case "memory" -> new InMemoryVolumeRegistry();
                    case "kube" -> new KubeVolumeRegistry(kube, args.get("namespace", "prescient-system"));
                    default -> throw new IllegalArgumentException("--registry must be kube or memory");
                };
                long deadline = args.getLong("agent-deadline-ms", 30_000);
                List<IdentityService.ReadinessCheck> checks = new ArrayList<>(List.of(registry::notReadyReason));
                AutoCloseable agentsToClose;
                NodeAgents agents;
                if (staticAgents.isEmpty()) {
                    KubeNodeAgents discovered = new KubeNodeAgents(kube, tls, deadline);
                    checks.add(discovered::notReadyReason);
                    agents = discovered;
                    agentsToClose = discovered;
                    LOG.info("node agents: discovered from StorageNode resources");
                } else {
                    StaticNodeAgents fixed = new StaticNodeAgents(StaticNodeAgents.parse(staticAgents), tls, deadline);
                    agents = fixed;
                    agentsToClose = fixed;
                    LOG.info("node agents: static list {}", fixed.nodes());
                }
                ControllerService controller = new ControllerService(registry, agents,
                        new VolumeSizing(args.getLong("max-volume-bytes", 1L << 40)));
                IdentityService identity = new IdentityService(true, checks);
                server = UnixSocketServers.start(socket, List.of(identity, controller));
                onStop = () -> {
                    try {
                        agentsToClose.close();
                    } catch (Exception e) {
                        LOG.warn("closing node agents: {}", e.toString());
                    }
                    if (kube != null) {
                        kube.close();
                    }
                };
            }
            case "node" -> {
                NodeMode node = NodeMode.start(args, tls);
                server = UnixSocketServers.start(socket, List.of(node.identity(), node.nodeService()));
                onStop = node::close;
            }
            default -> throw new IllegalArgumentException("--mode must be controller or node");
        }
        LOG.info("{} serving CSI on {}", mode, socket);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.shutdown();
            onStop.run();
        }));
        server.awaitTermination();
    }

    /**
     * The process keeper: serves until SIGTERM, then gives its children (engines, nbdfuse) the
     * chance to stop cleanly (an engine writes its clean marker) before the runtime kills them.
     */
    private static void runKeeper(Path socket) throws Exception {
        ProcessKeeper keeper = new ProcessKeeper(socket, ProcessKeeper.defaultPrograms()).start();
        java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                keeper.close();
            } catch (java.io.IOException e) {
                LOG.warn("closing the keeper socket: {}", e.toString());
            }
            keeper.stopChildren(20_000);
            stopped.countDown();
        }));
        stopped.await();
    }

    static AgentTls tls(DriverArgs args) {
        if (args.flag("agent-insecure")) {
            return AgentTls.insecurePlaintext();
        }
        String cert = args.get("tls-cert", "");
        if (cert.isEmpty()) {
            throw new IllegalArgumentException("the node agent needs mutual TLS: --tls-cert, --tls-key, --tls-ca"
                    + " (or --agent-insecure for local tests)");
        }
        return new AgentTls(Path.of(cert), Path.of(args.require("tls-key")), Path.of(args.require("tls-ca")), false);
    }
}
