package dev.prescient.local;

import dev.prescient.csi.controller.ControllerService;
import dev.prescient.local.api.ApiEndpoint;
import dev.prescient.local.api.NodeRegistration;
import dev.prescient.local.csi.CsiClient;
import dev.prescient.local.proc.Children;
import dev.prescient.local.proc.HostSweep;
import dev.prescient.local.runtime.ClusterWatch;
import dev.prescient.local.runtime.LocalVolume;
import dev.prescient.local.runtime.NodeAgentClients;
import dev.prescient.local.runtime.Replica;
import dev.prescient.local.runtime.ScenarioRunner;
import dev.prescient.local.scenario.Scenario;
import dev.prescient.local.scenario.TraceReader;
import dev.prescient.local.view.LiveView;
import dev.prescient.local.view.StateSnapshot;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The whole system on one machine: API endpoint, node processes (csi-driver node mode with nvme/ssd/hdd tier
 * directories), the CSI controller, the operator when it is built, volumes created through CSI, the scenario's
 * workload, the live view. {@link #close()} leaves nothing running or mounted under the work folder.
 */
public final class LocalMode implements AutoCloseable {
    /** Everything the launcher needs to know. */
    public record Options(Path root, Path work, Path scenario, Path kubeconfig, int viewPort, int apiPort,
            boolean startOperator, PrintStream out, String plannerMode) {
        /** The predictive operator (prescient.planner.mode's default). */
        public Options(Path root, Path work, Path scenario, Path kubeconfig, int viewPort, int apiPort,
                boolean startOperator, PrintStream out) {
            this(root, work, scenario, kubeconfig, viewPort, apiPort, startOperator, out, "predictive");
        }
    }

    /**
     * The outcome of the final check of one copy against the workload's reference: every replica through its own
     * engine export, and the volume through its front-end (replicaId "front-end").
     */
    public record Verification(String volume, String replicaId, String node, String tier, int badBlocks,
            String error) {
    }

    private static final String NAMESPACE = "prescient-system";
    private final Options o;
    private final Children children = new Children();
    private ApiEndpoint api;
    private NodeAgentClients agents;
    private CsiClient controller;
    private LiveView view;
    private volatile ScenarioRunner runner;
    private final Map<String, String> agentAddresses = new LinkedHashMap<>();
    private final Map<String, Path> nodeSockets = new LinkedHashMap<>();
    private final Map<String, Path> faultFiles = new LinkedHashMap<>();
    private Scenario scenario;
    private volatile boolean closed;

    public LocalMode(Options o) {
        this.o = o;
    }

    private void step(String what) {
        o.out().println("[prescient] " + what);
    }

    public LocalMode start() throws Exception {
        scenario = Scenario.load(o.scenario());
        step("scenario " + scenario.name + " from " + o.scenario());
        Path work = o.work().toAbsolutePath();
        HostSweep.Leftovers left = new HostSweep(work).sweep();
        if (!left.clean()) {
            throw new IllegalStateException("a previous run left " + left + " under " + work);
        }
        deleteTree(work);
        Files.createDirectories(work);

        view = new LiveView(o.viewPort(), () -> runner);
        step("live view: " + view.url());

        if (o.kubeconfig() != null) {
            api = ApiEndpoint.external(o.kubeconfig());
            step("using the cluster of " + o.kubeconfig() + " (" + api.url() + ")");
        } else {
            api = ApiEndpoint.embedded(o.apiPort(), work.resolve("kubeconfig"));
            step("embedded Kubernetes API (fabric8 mock, CRUD) on " + api.url());
        }
        step("CRDs installed: " + api.installCrds(o.root().resolve("crds")));
        api.ensureNamespace(NAMESPACE);
        for (String sample : List.of("tiers.yaml", "mirror-policy.yaml", "storageclass.yaml")) {
            api.apply(o.root().resolve("samples").resolve(sample));
        }
        Path policyFile = o.root().resolve(scenario.policy.file);
        String policy = api.apply(policyFile).get(0).getMetadata().getName();
        step("samples applied (tiers, policy, StorageClass) and the scenario's MirrorPolicy " + policy
                + "; kubectl: KUBECONFIG=" + api.kubeconfig() + " kubectl get stier,mpol,rvol,vmig,snode");

        // csi-driver's freshly compiled classes first (a full build makes them), its packaged jar as the fallback.
        String csiCp = csiClasspath(o.root());
        for (String node : scenario.nodes) {
            Path nodeDir = work.resolve("nodes").resolve(node);
            int port = freePort();
            List<String> cmd = nodeCommand(csiCp, node, nodeDir, port);
            // The scenario's clock: heat forgets within seconds and reaches the agent every second; a health
            // report covers the last two of the operator's looks at the node (every 2 s).
            cmd.addAll(List.of("--heat-half-life-s", Integer.toString(scenario.policy.engineHeatHalfLifeSeconds),
                    "--heat-interval-ms", "1000", "--health-window-s", "4"));
            children.start("node " + node, cmd, nodeDir.resolve("node.log"));
            faultFiles.put(node, faultFile(nodeDir));
            agentAddresses.put(node, "127.0.0.1:" + port);
            nodeSockets.put(node, nodeDir.resolve("csi.sock"));
            step("node " + node + " starting (tiers nvme, ssd, hdd under " + nodeDir.resolve("tiers")
                    + "; the engine adds " + TIER_LATENCY_US + " us per request)");
        }
        for (var e : nodeSockets.entrySet()) {
            awaitReady("node " + e.getKey(), e.getValue(), work.resolve("nodes").resolve(e.getKey()).resolve("node.log"));
        }

        Path ctrlSocket = work.resolve("controller/csi.sock");
        Files.createDirectories(ctrlSocket.getParent());
        String agentsSpec = String.join(",", agentAddresses.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue() + "@zone-" + e.getKey()).toList());
        List<String> ctrlCmd = new ArrayList<>(List.of(Children.javaBin(), "-Xmx192m", "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC", "-Dkubeconfig=" + api.kubeconfig(), "-cp", csiCp,
                "dev.prescient.csi.CsiDriverMain", "--mode", "controller", "--endpoint", "unix://" + ctrlSocket,
                "--node-agents", agentsSpec, "--registry", "kube", "--namespace", NAMESPACE, "--agent-insecure"));
        children.start("csi controller", ctrlCmd, work.resolve("controller/controller.log"));
        controller = awaitReady("CSI controller", ctrlSocket, work.resolve("controller/controller.log"));

        NodeRegistration.register(api.client(), agentAddresses);
        step("StorageNodes registered: " + String.join(", ", agentAddresses.keySet()));

        Path operatorJar = o.root().resolve("operator/target/quarkus-app/quarkus-run.jar");
        if (o.startOperator() && Files.exists(operatorJar) && api.embedded()) {
            children.start("operator", operatorCommand(operatorJar, api.url(), scenario, o.plannerMode()),
                    work.resolve("operator.log"));
            step("operator started (" + operatorJar + "), log " + work.resolve("operator.log")
                    + "; it decides every move from here on");
        } else {
            step("operator not started (" + (Files.exists(operatorJar) ? "disabled" : "not built: " + operatorJar)
                    + "): the workload runs, nothing will move");
        }

        agents = new NodeAgentClients(agentAddresses);
        Map<String, LocalVolume> volumes = new LinkedHashMap<>();
        for (Scenario.VolumeSpec vs : scenario.volumes) {
            long bytes = (long) vs.sizeMiB << 20;
            var vol = controller.createVolume("pvc-" + vs.name, bytes,
                    Map.of("mirrorPolicy", policy, "tier", vs.tier, "replicas", "1"), vs.node);
            Map<String, String> ctx = controller.publish(vol.getVolumeId(), vs.node);
            String uri = require(ctx, ControllerService.CTX_NBD_URI);
            String replicaNode = require(ctx, ControllerService.CTX_REPLICA_NODE);
            String reader = scenario.hotspots.stream().filter(h -> h.volume.equals(vs.name))
                    .map(h -> scenario.readerAtSeconds(h, 0)).findFirst().orElse(vs.node);
            LocalVolume v = new LocalVolume(vs.name, vol.getVolumeId(), vol.getCapacityBytes(), scenario.blockSize,
                    scenario.extentSize, scenario.policy.heatHalfLifeTicks, uri, reader);
            v.serving(replicaNode, vs.tier);
            volumes.put(vs.name, v);
            step("volume " + vs.name + " (" + vol.getVolumeId() + ", " + vs.sizeMiB + " MiB) on " + replicaNode + "/"
                    + vs.tier + ", front-end " + uri + ", used from " + reader);
        }
        ClusterWatch watch = new ClusterWatch(api.client(), agents, scenario.nodes, () -> runner == null ? 0
                : runner.seconds());
        runner = new ScenarioRunner(scenario, volumes, faultFiles, watch);
        for (Scenario.Trace t : scenario.traces) {
            Path f = o.root().resolve(t.file).normalize();
            if (!Files.isReadable(f)) {
                step("trace " + f + " not found: no replay into " + t.volume + " (the data lives in ../shared/data)");
                continue;
            }
            runner.addTrace(new ScenarioRunner.TraceReplay(t, new TraceReader(f, TraceReader.format(t.format))));
            step("replaying " + t.format + " trace " + f + " into " + t.volume + " (" + t.requestsPerTick
                    + " requests per tick)");
        }
        return this;
    }

    /** The fault file every engine of a local node watches (see the engine's InjectedFaults). */
    static Path faultFile(Path nodeDir) {
        return nodeDir.resolve("state/run/engine/faults");
    }

    /**
     * The operator's command: the embedded API, and the scenario's compressed clock (a day of affinity profile,
     * the pre-staging lead, the heat scale, and how often nodes and migrations are looked at).
     */
    static List<String> operatorCommand(Path jar, String apiUrl, Scenario sc) {
        return operatorCommand(jar, apiUrl, sc, "predictive");
    }

    /** @param plannerMode predictive (the operator) or reactive (the scorecard's baseline, ReactivePolicy) */
    static List<String> operatorCommand(Path jar, String apiUrl, Scenario sc, String plannerMode) {
        return List.of(Children.javaBin(), "-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-Dprescient.planner.mode=" + plannerMode,
                "-Dquarkus.kubernetes-client.api-server-url=" + apiUrl,
                "-Dquarkus.kubernetes-client.namespace=" + NAMESPACE, "-Dquarkus.http.port=0",
                "-Dquarkus.http.host=127.0.0.1",
                "-Dprescient.planner.day-length=PT" + sc.dayLengthSeconds + "S",
                "-Dprescient.planner.lead-time=PT" + sc.policy.leadTimeSeconds + "S",
                "-Dprescient.planner.heat-scale=" + sc.policy.heatScale,
                "-Dprescient.planner.new-volume-warm-up=PT" + sc.policy.engineHeatHalfLifeSeconds * 2 + "S",
                "-Dprescient.node.interval=2s", "-Dprescient.migration.poll-interval=500ms",
                // Forecasts resample telemetry to one step per planner pass (the local policy evaluates every 2 s);
                // at the 30 min default a compressed run would never have one to show.
                "-Dprescient.forecast.step=PT2S",
                // The nodes' own alarm (StorageNode condition and event) at the local policy's threshold: all
                // tiers here share one busy disk (see local/scenarios/local-policy.yaml).
                "-Dprescient.failure.threshold=0.8",
                // Each health report and its failure score in operator.log: why a node was (or was not) evacuated.
                "-Dquarkus.log.category.\"dev.prescient.operator.telemetry.NodeHealthModel\".level=DEBUG",
                "-jar", jar.toString());
    }

    /**
     * Latency per request the engine adds on each tier (microseconds). All tiers of a local node
     * share this machine's disk, so without it ssd and hdd would be as fast as nvme and tiering by
     * speed would have nothing to measure. The values are what the former nbdkit delay wrapper used.
     */
    public static final Map<String, Long> TIER_LATENCY_US = orderedLatencies();

    private static Map<String, Long> orderedLatencies() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("ssd", 1000L);
        m.put("hdd", 6000L);
        return java.util.Collections.unmodifiableMap(m);
    }

    /** csi-driver's freshly compiled classes first (a full build makes them), its packaged jar as the fallback. */
    public static String csiClasspath(Path root) throws IOException {
        return root.resolve("csi-driver/target/classes") + ":"
                + root.resolve("local/target/node-lib/prescient-csi-driver.jar") + ":"
                + Files.readString(root.resolve("csi-driver/target/runtime-classpath.txt")).strip();
    }

    /**
     * The command of one local node process: nvme, ssd and hdd tier directories under
     * {@code nodeDir/tiers} (created here), CSI on {@code nodeDir/csi.sock}, the agent in plaintext
     * on loopback {@code agentPort}, and {@link #TIER_LATENCY_US} for the slower tiers. Public so
     * the tests start exactly what local mode starts.
     */
    public static List<String> nodeCommand(String csiCp, String node, Path nodeDir, int agentPort) throws IOException {
        List<String> tiers = new ArrayList<>();
        for (String t : List.of("nvme", "ssd", "hdd")) {
            Path d = nodeDir.resolve("tiers").resolve(t);
            Files.createDirectories(d);
            tiers.add(t + "=" + d);
        }
        Files.createDirectories(nodeDir.resolve("kubelet"));
        List<String> cmd = new ArrayList<>(List.of(Children.javaBin(), "-Xmx192m", "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC", "-cp", csiCp, "dev.prescient.csi.CsiDriverMain", "--mode", "node",
                "--endpoint", "unix://" + nodeDir.resolve("csi.sock"), "--node-id", node, "--zone", "zone-" + node,
                "--state-dir", nodeDir.resolve("state").toString(), "--tier", String.join(",", tiers),
                "--agent-listen", "127.0.0.1:" + agentPort, "--kubelet-dir", nodeDir.resolve("kubelet").toString(),
                "--agent-insecure"));
        TIER_LATENCY_US.forEach((tier, us) -> cmd.addAll(List.of("--tier-latency-us", tier + "=" + us)));
        return cmd;
    }

    private static String require(Map<String, String> ctx, String key) {
        String v = ctx.get(key);
        if (v == null || v.isEmpty()) {
            throw new IllegalStateException("publish context without " + key + ": " + ctx);
        }
        return v;
    }

    /** Runs the scenario for {@code seconds} (0 = the scenario's duration; negative = until interrupted). */
    public void run(int seconds, boolean headless) throws InterruptedException {
        int total = seconds == 0 ? scenario.durationSeconds : seconds;
        long next = System.nanoTime();
        long lastPrint = 0;
        while (!closed && (total < 0 || runner.seconds() < total)) {
            runner.tick();
            long now = System.nanoTime();
            if (now - lastPrint > (headless ? 10_000_000_000L : 2_000_000_000L)) {
                o.out().print(StateSnapshot.summary(runner));
                o.out().flush();
                lastPrint = now;
            }
            next += scenario.tickMillis * 1_000_000L;
            long sleep = (next - System.nanoTime()) / 1_000_000L;
            if (sleep > 0) {
                Thread.sleep(sleep);
            }
        }
    }

    /**
     * Stops the workload, waits up to {@code settle} for migrations still running, then reads every replica back
     * through its own engine export, and the volume through its front-end, and compares them with the
     * acknowledged writes.
     */
    public List<Verification> verify(java.time.Duration settle) throws IOException, InterruptedException {
        runner.close();
        awaitMigrationsDone(settle);
        List<Verification> out = new ArrayList<>();
        for (LocalVolume v : runner.volumes().values()) {
            // The front-end first, while the workload is still attached: a front-end whose own replica was moved
            // away is stopped once its last client leaves.
            out.add(check(v, "front-end", "", "", v.frontEndUri));
            v.closeConnections();
            runner.refresh(runner.seconds());
            for (Replica r : v.replicas()) {
                if (r.healthy() && !r.nbdUri().isEmpty()) {
                    Verification c = check(v, r.replicaId(), r.node(), r.tier(), r.nbdUri());
                    // The operator keeps planning while the copies are read (the healed disk and the verification's
                    // own reads change its inputs): a copy it removed meanwhile (a surplus mirror, the source of a
                    // retier begun after the workload stopped) is not lost. A copy that cannot be read is read again
                    // once running migrations ended, and counts as lost only while it is still listed and unreadable.
                    boolean removed = false;
                    for (int again = 0; c.badBlocks() < 0 && again < 3; again++) {
                        awaitMigrationsDone(settle);
                        java.util.Optional<Replica> still = v.replicas().stream()
                                .filter(x -> x.replicaId().equals(r.replicaId())).findFirst();
                        if (still.isEmpty()) {
                            removed = true;
                            break;
                        }
                        c = check(v, r.replicaId(), r.node(), r.tier(), still.get().nbdUri());
                    }
                    if (!removed) {
                        out.add(c);
                    }
                }
            }
        }
        return out;
    }

    /** Until every migration the cluster shows has ended, or {@code settle}; the replica lists refreshed. */
    private void awaitMigrationsDone(java.time.Duration settle) throws IOException, InterruptedException {
        long end = System.nanoTime() + settle.toNanos();
        do {
            runner.refresh(runner.seconds());
            if (runner.watch().migrations().stream().allMatch(ClusterWatch.Migration::done)) {
                return;
            }
            Thread.sleep(500);
        } while (System.nanoTime() < end);
    }

    /** One copy checked; a copy that cannot be read at all counts as all its blocks lost (-1) and says why. */
    private Verification check(LocalVolume v, String id, String node, String tier, String uri) {
        try {
            return new Verification(v.name, id, node, tier, v.verify(uri).size(), "");
        } catch (IOException e) {
            return new Verification(v.name, id, node, tier, -1, uri + ": " + e);
        }
    }

    /** True once teardown began (Ctrl-C or the end of the run). */
    public boolean stopping() {
        return closed;
    }

    public ScenarioRunner runner() {
        return runner;
    }

    public ApiEndpoint api() {
        return api;
    }

    public String viewUrl() {
        return view.url();
    }

    public Children children() {
        return children;
    }

    private CsiClient awaitReady(String what, Path socket, Path log) throws Exception {
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline) {
            for (Children.Child c : children.all()) {
                if (!c.process().isAlive() && c.log().equals(log)) {
                    throw new IllegalStateException(what + " exited: " + tail(log));
                }
            }
            if (Files.exists(socket)) {
                CsiClient c = new CsiClient(socket);
                if (c.ready()) {
                    step(what + " ready");
                    if (what.startsWith("node")) {
                        c.close();
                    }
                    return c;
                }
                c.close();
            }
            Thread.sleep(300);
        }
        throw new IllegalStateException(what + " not ready after 120 s: " + tail(log));
    }

    private static String tail(Path log) throws IOException {
        if (!Files.exists(log)) {
            return "(no log)";
        }
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Stops everything in reverse order and sweeps the work folder; returns what could not be removed. */
    public synchronized HostSweep.Leftovers stop() throws IOException {
        if (closed) {
            return new HostSweep(o.work()).find();
        }
        closed = true;
        if (runner != null) {
            runner.close();
            runner.volumes().values().forEach(LocalVolume::closeConnections);
        }
        if (controller != null) {
            controller.close();
        }
        if (agents != null) {
            agents.close();
        }
        children.close();
        HostSweep.Leftovers left = new HostSweep(o.work()).sweep();
        if (view != null) {
            view.close();
        }
        if (api != null) {
            api.close();
        }
        step(left.clean() ? "stopped; nothing left running or mounted under " + o.work()
                : "stopped, but left behind: " + left);
        return left;
    }

    @Override
    public void close() throws IOException {
        stop();
    }
}
