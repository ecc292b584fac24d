package dev.prescient.csi.node;

import dev.prescient.csi.Exec;
import dev.prescient.csi.DriverArgs;
import dev.prescient.csi.agent.AgentMetrics;
import dev.prescient.csi.agent.AgentTls;
import dev.prescient.csi.agent.EngineExports;
import dev.prescient.csi.agent.EngineReplicas;
import dev.prescient.csi.agent.EngineSupervisor;
import dev.prescient.csi.agent.EngineWatchdog;
import dev.prescient.csi.agent.NbdTransport;
import dev.prescient.csi.agent.NodeAgentService;
import dev.prescient.csi.agent.EngineMetricsFederation;
import dev.prescient.csi.agent.TierProbe;
import dev.prescient.engine.metrics.MetricsServer;
import io.grpc.ServerInterceptors;
import dev.prescient.csi.identity.IdentityService;
import dev.prescient.csi.keeper.DirectLauncher;
import dev.prescient.csi.keeper.KeeperClient;
import dev.prescient.csi.keeper.Launcher;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.grpc.Server;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Wires a node process: replica store, NBD exports, node agent on TCP (mTLS), CSI node service. */
public final class NodeMode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeMode.class);
    private final IdentityService identity;
    private final NodeService nodeService;
    private final NodeAgentService agent;
    private final Server agentServer;
    private final java.util.concurrent.ScheduledExecutorService supervision;

    private final MetricsServer metricsServer;

    private NodeMode(IdentityService identity, NodeService nodeService, NodeAgentService agent, Server agentServer,
            java.util.concurrent.ScheduledExecutorService supervision, MetricsServer metricsServer) {
        this.metricsServer = metricsServer;
        this.identity = identity;
        this.nodeService = nodeService;
        this.agent = agent;
        this.agentServer = agentServer;
        this.supervision = supervision;
    }

    public static NodeMode start(DriverArgs args, AgentTls tls) throws IOException {
        String nodeId = args.require("node-id");
        boolean register = args.flag("register-storage-node");
        KubernetesClient kube = register ? new KubernetesClientBuilder().build() : null;
        // The zone: --zone, else (when registering) the Kubernetes node's topology label.
        String zone = args.get("zone", "");
        if (zone.isEmpty() && register) {
            try {
                zone = StorageNodeRegistration.zoneOfNode(kube, nodeId).orElse("");
            } catch (RuntimeException e) {
                LOG.warn("node {}: cannot read its zone label: {}", nodeId, e.getMessage());
            }
        }
        if (zone.isEmpty()) {
            zone = "default";
        }
        Path state = Path.of(args.get("state-dir", "/var/lib/prescient"));
        // The engine time each health report covers; the failure predictor judges one report per look.
        long healthWindow = args.getLong("health-window-s", 60);
        if (healthWindow <= 0) {
            throw new IllegalArgumentException("--health-window-s must be positive, got " + healthWindow);
        }
        // Checked with the other numbers before anything is set up: a bad value must not leave engines resumed.
        long probeMs = args.getLong("tier-probe-ms", 500);
        if (probeMs < 0) {
            throw new IllegalArgumentException("--tier-probe-ms must be 0 (off) or positive, got " + probeMs);
        }
        long checkMs = args.getLong("engine-check-ms", 10_000);
        if (checkMs < 0) {
            throw new IllegalArgumentException("--engine-check-ms must be 0 (off) or positive, got " + checkMs);
        }
        Map<String, Path> tiers = new LinkedHashMap<>();
        // Repeatable (the chart passes one --tier per tier) and comma-separated alike.
        List<String> tierArgs = args.getAll("tier");
        for (String t : tierArgs.isEmpty() ? List.of("default=" + state.resolve("tiers/default")) : tierArgs) {
            int eq = t.indexOf('=');
            if (eq <= 0 || eq == t.length() - 1) {
                throw new IllegalArgumentException("--tier wants NAME=DIR, got " + t);
            }
            if (tiers.put(t.substring(0, eq), Path.of(t.substring(eq + 1))) != null) {
                throw new IllegalArgumentException("--tier names tier " + t.substring(0, eq) + " twice");
            }
        }
        Map<String, Long> tierLatencyUs = tierLatencies(args, tiers.keySet());
        List<Path> roots = new ArrayList<>();
        for (String r : args.get("kubelet-dir", "/var/lib/kubelet").split(",")) {
            roots.add(Path.of(r));
        }
        EngineReplicas store = new EngineReplicas(tiers);
        EngineExports exports = new EngineExports(state.resolve("run/engine"), args.get("nbd-bind", "127.0.0.1"), tiers,
                args.getLong("heat-interval-ms", 5000), tierLatencyUs);
        exports.setHeatHalfLifeSeconds(args.getLong("heat-half-life-s", 300));
        // On Kubernetes the data path must not live in this container (it dies with it): the
        // node's process keeper starts engines and nbdfuse; elsewhere a session of their own does.
        String keeperSocket = args.get("keeper-socket", "");
        Launcher launcher = keeperSocket.isEmpty() ? new DirectLauncher() : new KeeperClient(Path.of(keeperSocket), 60_000);
        exports.useLauncher(launcher);
        // With the node's certificate the engines serve TCP to TLS clients only; this node's own
        // clients use the engines' UNIX sockets, and other nodes' exports through TLS.
        Optional<NbdTransport.Tls> nbdTls = tls.insecure() ? Optional.empty()
                : Optional.of(new NbdTransport.Tls(tls.cert(), tls.key(), tls.ca()));
        nbdTls.ifPresent(exports::useTls);
        // With metrics asked for, each engine serves its own on loopback and a port kept in its record (csi-cli state
        // shows it); the agent's /metrics merges them (EngineMetricsFederation), so they are not exposed on the
        // node's network. Set before the exports are resumed below.
        String metricsListen = args.get("metrics-listen", "");
        if (!metricsListen.isEmpty() && metricsListen.lastIndexOf(':') < 1) {
            throw new IllegalArgumentException("--metrics-listen must be HOST:PORT, got " + metricsListen);
        }
        if (!metricsListen.isEmpty()) {
            exports.useEngineMetrics("127.0.0.1");
        }
        NbdTransport transport = new NbdTransport(exports::localSocket, nbdTls, System.getProperty("java.class.path"));
        NodeAgentService agent = new NodeAgentService(nodeId, zone, store, exports, tls);
        agent.useTransport(transport);
        agent.setHealthWindow(java.time.Duration.ofSeconds(healthWindow));
        agent.resumeExports();
        // Two threads: the tier probe waits as long as a slow medium makes it, and must not hold up the supervisor.
        var supervision = java.util.concurrent.Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "engine-supervisor");
            t.setDaemon(true);
            return t;
        });
        if (probeMs > 0) {
            TierProbe probe = new TierProbe(tiers, tierLatencyUs, exports.faultFile(),
                    java.time.Duration.ofSeconds(healthWindow), System::currentTimeMillis);
            agent.setTierProbe(probe);
            supervision.scheduleWithFixedDelay(probe::probeOnce, 0, probeMs, java.util.concurrent.TimeUnit.MILLISECONDS);
        }
        AgentMetrics metrics = new AgentMetrics(nodeId, tiers.keySet(), store);
        if (checkMs > 0) {
            EngineSupervisor supervisor = new EngineSupervisor(exports, new EngineWatchdog(3),
                    (int) Math.min(5_000, Math.max(500, checkMs / 2)));
            supervision.scheduleWithFixedDelay(supervisor, checkMs, checkMs, java.util.concurrent.TimeUnit.MILLISECONDS);
            metrics.engineRestarts(supervisor::restarts);
        }
        String listen = args.get("agent-listen", "127.0.0.1:7443");
        int colon = listen.lastIndexOf(':');
        Server agentServer = tls.serverBuilder(new InetSocketAddress(listen.substring(0, colon),
                Integer.parseInt(listen.substring(colon + 1)))).addService(ServerInterceptors.intercept(agent, metrics))
                .build().start();
        // Prometheus text on GET /metrics; off unless asked for (the chart asks).
        MetricsServer metricsServer = null;
        if (!metricsListen.isEmpty()) {
            int mc = metricsListen.lastIndexOf(':');
            EngineMetricsFederation engines = new EngineMetricsFederation(exports);
            metrics.engineScrapeFailures(engines::failures);
            metricsServer = MetricsServer.start(new InetSocketAddress(metricsListen.substring(0, mc),
                    Integer.parseInt(metricsListen.substring(mc + 1))),
                    () -> metrics.registry().scrape() + engines.scrape());
            LOG.info("node agent {} metrics on {}:{}/metrics", nodeId, metricsListen.substring(0, mc), metricsServer.port());
        }
        LOG.info("node agent {} listening on {} ({})", nodeId, listen, tls.insecure() ? "PLAINTEXT" : "mTLS");
        String[] registration = {"StorageNode not registered yet"};
        if (register) {
            String advertise = advertisedEndpoint(args, listen, agentServer.getPort());
            try {
                StorageNodeRegistration.register(kube, nodeId, zone, advertise);
                registration[0] = null;
                LOG.info("StorageNode/{} registered: agent {} zone {}", nodeId, advertise, zone);
            } catch (RuntimeException e) {
                // Not fatal (CSI node service still works locally), but Probe says so: the
                // controller cannot place volumes here until the StorageNode exists.
                registration[0] = "StorageNode registration failed: " + e.getMessage();
                LOG.error("StorageNode/{}: {}", nodeId, registration[0]);
            } finally {
                kube.close();
            }
        } else {
            registration[0] = null;
        }
        Attacher attacher = new Attacher(state.resolve("run/attach"), launcher, transport);
        NodeService node = new NodeService(nodeId, zone, args.getLong("max-volumes", 64), new PathPolicy(roots),
                attacher, new StagedVolumes(state), agent);
        node.recover();
        IdentityService identity = new IdentityService(false, List.of(
                () -> agentServer.isShutdown() ? Optional.of("node agent stopped") : Optional.empty(),
                () -> Optional.ofNullable(registration[0]),
                () -> Attacher.kernelNbd() || (has("nbdfuse") && has("losetup")) ? Optional.empty()
                        : Optional.of("neither nbd-client with /dev/nbd* nor nbdfuse+losetup is available"),
                () -> has("nbdcopy") ? Optional.empty() : Optional.of("nbdcopy missing (snapshots, clones, copies)"),
                () -> keeperSocket.isEmpty() || Files.exists(Path.of(keeperSocket)) ? Optional.empty()
                        : Optional.of("no process keeper at " + keeperSocket + " (the prescient-dataplane pod on this node)"),
                () -> tiers.values().stream().allMatch(Files::isWritable) ? Optional.empty()
                        : Optional.of("a tier directory is not writable")));
        return new NodeMode(identity, node, agent, agentServer, supervision, metricsServer);
    }

    /**
     * {@code --tier-latency-us ssd=1000} (repeatable): latency the engine adds to every request on
     * that tier's replicas. For machines whose tiers share one disk (local mode, tests); a real
     * node's media are slow on their own. An unknown tier is an error, not silently ignored.
     */
    static Map<String, Long> tierLatencies(DriverArgs args, java.util.Set<String> tiers) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String t : args.getAll("tier-latency-us")) {
            int eq = t.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--tier-latency-us wants TIER=MICROS, got " + t);
            }
            String tier = t.substring(0, eq);
            if (!tiers.contains(tier)) {
                throw new IllegalArgumentException("--tier-latency-us names tier " + tier + ", not one of " + tiers);
            }
            long us = Long.parseLong(t.substring(eq + 1));
            if (us < 0) {
                throw new IllegalArgumentException("--tier-latency-us " + t + ": negative latency");
            }
            out.put(tier, us);
        }
        return out;
    }

    /**
     * What other hosts dial for this agent: {@code --agent-advertise host:port}, else the listen
     * address when it names one host (a wildcard address cannot be dialled).
     */
    static String advertisedEndpoint(DriverArgs args, String listen, int boundPort) {
        String adv = args.get("agent-advertise", "");
        if (!adv.isEmpty()) {
            return adv;
        }
        String host = listen.substring(0, listen.lastIndexOf(':'));
        if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
            throw new IllegalArgumentException("--register-storage-node with --agent-listen " + listen
                    + " needs --agent-advertise host:port (the address other nodes dial)");
        }
        return host + ":" + boundPort;
    }

    private static boolean has(String tool) {
        return Exec.onPath(tool);
    }

    public IdentityService identity() {
        return identity;
    }

    public NodeService nodeService() {
        return nodeService;
    }

    /** The bound metrics port, or -1 when {@code --metrics-listen} was not given. */
    public int metricsPort() {
        return metricsServer == null ? -1 : metricsServer.port();
    }

    public int agentPort() {
        return agentServer.getPort();
    }

    @Override
    public void close() {
        supervision.shutdownNow();
        agentServer.shutdownNow();
        if (metricsServer != null) {
            metricsServer.close();
        }
        agent.close();
    }
}
