package dev.prescient.operator.bench;

import dev.prescient.api.v1alpha1.migration.MigrationReason;
import dev.prescient.api.v1alpha1.migration.VolumeMigration;
import dev.prescient.api.v1alpha1.node.StorageNode;
import dev.prescient.api.v1alpha1.node.StorageNodeSpec;
import dev.prescient.api.v1alpha1.policy.MirrorPolicy;
import dev.prescient.api.v1alpha1.tier.StorageTier;
import dev.prescient.api.v1alpha1.volume.ReplicatedVolume;
import dev.prescient.api.v1alpha1.volume.ReplicatedVolumeSpec;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;

import java.io.BufferedWriter;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Scale benchmark against a real kube-apiserver (not a test): the operator as its own process (quarkus-run.jar,
 * the JVM options the image ships under the chart's memory limit, see {@link ShippedJvm}), fake node agents over gRPC in a third process ({@link FakeAgentServer}), N
 * ReplicatedVolumes and M StorageNodes in the API server. Prints the operator's RSS, planner pass p50/p99, API
 * requests per pass (apiserver_request_total), the evacuation wave, the time from a failure probability crossing
 * the threshold to the first VolumeMigration, and reconcile throughput. Everything it creates carries the label
 * {@code prescient.dev/bench=operator-scale} and is deleted at the end. Run: bench/operator-scale-real.sh.
 */
public final class OperatorRealScaleBench {

    static final String LABEL = "prescient.dev/bench";
    static final String LABEL_VALUE = "operator-scale";
    /**
     * A namespace of this run's own: without kube-controller-manager (control-plane.sh NO_KCM=1) a deleted namespace
     * stays Terminating for good, and one reused by name would bring back the last run's model state ConfigMaps.
     */
    static final String NS = "prescient-scale-bench-" + Long.toString(System.currentTimeMillis() / 1000, 36);
    static final String PREFIX = "scale-";
    static final String POLICY = PREFIX + "policy";

    private static final Pattern PASS = Pattern.compile("planner pass " + POLICY + ": (\\d+) volumes, (\\d+) nodes; "
            + "observe (\\d+) ms, plan (\\d+) ms, act (\\d+) ms, state (\\d+) ms \\((\\d+) part\\(s\\) due\\), "
            + "whole pass (\\d+) ms; (\\d+) created");
    /** Where each figure of a pass is in the log line's groups (p[7] state ms and p[8] state parts come last). */
    private static final int[] GROUPS = {1, 2, 3, 4, 5, 8, 9, 6, 7};

    public static void main(String[] args) {
        try {
            run(args);
        } catch (Throwable t) {
            t.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    static void run(String[] args) throws Exception {
        int volumes = Integer.parseInt(args[0]);
        int nodes = Integer.parseInt(args[1]);
        int passes = Integer.parseInt(args[2]);
        Path root = Path.of(args[3]).toAbsolutePath();
        String testClasspath = args[4];
        Path work = Files.createDirectories(root.resolve("operator/target/scale-bench"));
        // Generous timeouts: 10,000 objects on a loaded 2-core machine take more than the default 10 s per request.
        io.fabric8.kubernetes.client.Config config = io.fabric8.kubernetes.client.Config.autoConfigure(null);
        config.setRequestTimeout(120_000);
        config.setRequestRetryBackoffLimit(5);
        KubernetesClient kube = new KubernetesClientBuilder().withConfig(config).build();
        Process agents = null;
        Process operator = null;
        try {
            System.out.printf("operator scale benchmark on %s: %d volumes, %d nodes, %d cores, load %s%n",
                    kube.getMasterUrl(), volumes, nodes, Runtime.getRuntime().availableProcessors(), load());
            try {
                cleanup(kube); // leftovers of a run that was killed
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                if (e.getCode() != 404) {
                    throw e;
                }
                // a fresh API server: the CRDs are not there yet, so neither is anything to clean up
            }
            crds(kube, root);
            kube.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).addToLabels(LABEL,
                    LABEL_VALUE).endMetadata().build()).serverSideApply();
            int basePort = freePortRange(nodes);
            agents = new ProcessBuilder("java", "-Xmx1g", "-cp", testClasspath,
                    FakeAgentServer.class.getName(), "" + volumes, "" + nodes, "" + basePort, PREFIX)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.PIPE).start();
            var agentOut = new java.io.BufferedReader(new java.io.InputStreamReader(agents.getInputStream()));
            String ready = agentOut.readLine();
            System.out.println("fake agents (pid " + agents.pid() + "): " + ready);
            Files.writeString(work.resolve("pids"), agents.pid() + "\n");
            Process agentsRef = agents;
            Thread drain = new Thread(() -> {
                try {
                    for (String l; (l = agentOut.readLine()) != null; ) {
                        System.out.println("  agents: " + l);
                    }
                } catch (Exception ignored) {
                    // process ended
                }
            });
            drain.setDaemon(true);
            drain.start();
            BufferedWriter agentCtl = new BufferedWriter(new OutputStreamWriter(agentsRef.getOutputStream()));

            long s0 = System.nanoTime();
            objects(kube, volumes, nodes, basePort);
            System.out.printf("setup: %d StorageNodes, %d ReplicatedVolumes, 3 StorageTiers (if absent), MirrorPolicy %s"
                    + " created in the API server in %.1f s%n", nodes, volumes, POLICY, (System.nanoTime() - s0) / 1e9);

            // Watches: VolumeMigrations (evacuations), StorageNode crossings, volume statuses (reconcile throughput).
            Map<String, Long> vmSeen = new ConcurrentHashMap<>();
            Map<String, Long> vmDone = new ConcurrentHashMap<>();
            AtomicLong crossing = new AtomicLong();
            // The schema caps a policy's per-node concurrency at 64, so one node's 100 volumes would take two passes:
            // two nodes fail at once, and the first pass's wave is 2 x 64 evacuations.
            List<String> failNodes = List.of(FakeAgentServer.node(PREFIX, 7), FakeAgentServer.node(PREFIX, 8));
            String failNode = failNodes.get(0);
            var vmWatch = kube.resources(VolumeMigration.class).watch(new Watcher<>() {
                public void eventReceived(Action a, VolumeMigration m) {
                    if (m.getSpec() == null || m.getSpec().getReason() != MigrationReason.PredictedFailure
                            || !m.getSpec().getVolume().startsWith(PREFIX)) {
                        return;
                    }
                    vmSeen.putIfAbsent(m.getMetadata().getName(), System.nanoTime());
                    if (m.getStatus() != null && m.getStatus().getPhase() != null && m.getStatus().getPhase().terminal()) {
                        vmDone.putIfAbsent(m.getMetadata().getName(), System.nanoTime());
                    }
                }

                public void onClose(WatcherException e) {
                }
            });
            var snWatch = kube.resources(StorageNode.class).withName(failNode).watch(new Watcher<>() {
                public void eventReceived(Action a, StorageNode n) {
                    if (n.getStatus() != null && n.getStatus().getFailureProbability() != null
                            && n.getStatus().getFailureProbability() >= 0.5 && crossing.get() == 0) {
                        crossing.set(System.nanoTime());
                        System.out.printf("  %s: failure probability %.2f (confidence %s) seen%n", failNode,
                                n.getStatus().getFailureProbability(), n.getStatus().getFailureConfidence());
                    }
                }

                public void onClose(WatcherException e) {
                }
            });
            Map<String, Long> statusSeen = new ConcurrentHashMap<>();
            var rvWatch = kube.resources(ReplicatedVolume.class).withLabel(LABEL, LABEL_VALUE)
                    .watch(new Watcher<>() {
                        public void eventReceived(Action a, ReplicatedVolume v) {
                            if (v.getStatus() != null) {
                                statusSeen.putIfAbsent(v.getMetadata().getName(), System.nanoTime());
                            }
                        }

                        public void onClose(WatcherException e) {
                        }
                    });

            // The operator: its normal entry point with the JVM options the image ships (read from the Containerfile)
            // under the chart's memory limit, configured as a Deployment would be (env).
            int httpPort = freePortRange(1);
            Path log = work.resolve("operator.log");
            ShippedJvm shipped = ShippedJvm.read(root);
            List<String> command = new ArrayList<>(List.of("java"));
            command.addAll(shipped.asRunHere());
            command.addAll(List.of("-jar", root.resolve("operator/target/quarkus-app/quarkus-run.jar").toString()));
            ProcessBuilder ob = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            Map<String, String> env = ob.environment();
            env.put("POD_NAMESPACE", NS);
            // As in a pod: a ServiceAccount's token, not the admin's client certificate. With a certificate and no
            // token, fabric8 7.4's TokenRefreshInterceptor re-reads and parses the kubeconfig on every request
            // after the first minute (it only notes a refresh that found a token): 15% of the operator's CPU.
            env.put("KUBECONFIG", serviceAccountKubeconfig(kube, config, work).toString());
            env.put("QUARKUS_HTTP_PORT", "" + httpPort);
            // No operator-wide movement caps, so that the whole 100-volume wave is admitted in one pass.
            env.put("PRESCIENT_LIMITS_CLUSTER_MAX_CONCURRENT", "0");
            env.put("PRESCIENT_LIMITS_NODE_MAX_CONCURRENT", "0");
            env.put("PRESCIENT_LIMITS_CLUSTER_BANDWIDTH", "0");
            env.put("PRESCIENT_LIMITS_NODE_BANDWIDTH", "0");
            String jvmOpts = System.getenv("OPERATOR_JAVA_OPTS");
            if (jvmOpts != null && !jvmOpts.isBlank()) {
                List<String> cmd = new ArrayList<>(ob.command());
                cmd.addAll(cmd.indexOf("-jar"), List.of(jvmOpts.trim().split("\\s+")));
                ob.command(cmd);
            }
            long opStart = System.nanoTime();
            operator = ob.start();
            long pid = operator.pid();
            Files.writeString(work.resolve("pids"), pid + "\n", java.nio.file.StandardOpenOption.APPEND);
            System.out.printf("operator started (pid %d): %s; log %s%n", pid, String.join(" ", ob.command()), log);
            List<Long> rss = new ArrayList<>();
            Map<String, Long> apiBefore = null;
            int passesAtApiBefore = 0;
            long apiT0 = 0;
            List<long[]> seen = new ArrayList<>();
            int statusAll = -1;
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(20);
            boolean failed = false;
            long failSentAt = 0;
            while (System.nanoTime() < deadline) {
                Thread.sleep(1000);
                if (!operator.isAlive()) {
                    throw new IllegalStateException("operator exited with " + operator.exitValue() + ", see " + log);
                }
                rss.add(rssKiB(pid));
                List<long[]> ps = passes(log);
                if (statusAll < 0 && statusSeen.size() >= volumes) {
                    statusAll = (int) ((System.nanoTime() - opStart) / 1_000_000);
                    System.out.printf("  every volume has a status %.1f s after the operator started%n",
                            statusAll / 1000.0);
                }
                if (ps.size() > seen.size()) {
                    for (long[] p : ps.subList(seen.size(), ps.size())) {
                        System.out.printf("  pass %d: observe %d ms, plan %d ms, act %d ms, state %d ms (%d parts),"
                                + " whole %d ms, created %d; operator RSS %d MiB%n", seen.size() + 1, p[2], p[3],
                                p[4], p[7], p[8], p[5], p[6], rss.get(rss.size() - 1) >> 10);
                        seen.add(p);
                    }
                    if (apiBefore == null && seen.size() >= 2) {
                        apiBefore = apiRequests(kube);
                        passesAtApiBefore = seen.size();
                        apiT0 = System.nanoTime();
                    }
                }
                // The failure model needs 8 reports of a node before it can alert (30 s apart by default).
                if (!failed && seen.size() >= passes && System.nanoTime() - opStart > TimeUnit.SECONDS.toNanos(
                        Long.parseLong(System.getenv().getOrDefault("FAIL_AFTER_SECONDS", "300")))) {
                    Map<String, Long> apiAfter = apiRequests(kube);
                    int n = seen.size() - passesAtApiBefore;
                    report(seen, rss, apiBefore, apiAfter, n, (System.nanoTime() - apiT0) / 1e9);
                    for (String f : failNodes) {
                        agentCtl.write("fail " + f + "\n");
                    }
                    agentCtl.flush();
                    failSentAt = System.nanoTime();
                    failed = true;
                    System.out.printf("%s: media made slow and erroring (fake agents); waiting for the operator%n",
                            failNodes);
                }
                if (failed && vmSeen.size() >= failNodes.size() * volumes / nodes && vmDone.size() >= vmSeen.size()) {
                    break;
                }
                if (failed && System.nanoTime() - failSentAt > TimeUnit.MINUTES.toNanos(6)) {
                    System.out.println("gave up waiting for the evacuation 6 min after the failure");
                    break;
                }
            }
            List<long[]> ps = passes(log);
            long cross = crossing.get();
            if (cross > 0 && !vmSeen.isEmpty()) {
                long first = vmSeen.values().stream().mapToLong(Long::longValue).min().orElse(0);
                long last = vmSeen.values().stream().mapToLong(Long::longValue).max().orElse(0);
                System.out.printf("failure probability crossing seen %.1f s after the failure was injected; first "
                                + "evacuation VolumeMigration seen %.0f ms after the crossing, the %d-th (last) %.0f ms"
                                + " after it (%d ms from first to last)%n", (cross - failSentAt) / 1e9,
                        (first - cross) / 1e6, vmSeen.size(), (last - cross) / 1e6, (last - first) / 1_000_000);
                waves(log);
                for (long[] p : ps) {
                    if (p[6] > 0) {
                        System.out.printf("evacuation pass: observe %d ms, plan %d ms, act %d ms (creating %d "
                                + "VolumeMigrations), whole pass %d ms%n", p[2], p[3], p[4], p[6], p[5]);
                    }
                }
            }
            if (!vmDone.isEmpty()) {
                long first = vmSeen.values().stream().mapToLong(Long::longValue).min().orElse(0);
                long last = vmDone.values().stream().mapToLong(Long::longValue).max().orElse(0);
                double secs = (last - first) / 1e9;
                System.out.printf("reconcile throughput: %d of %d evacuations reached a terminal phase %.1f s after "
                        + "the first was created: %.1f migrations/s (7 phases each)%n", vmDone.size(), vmSeen.size(),
                        secs, vmDone.size() / secs);
            }
            if (statusAll > 0) {
                System.out.printf("reconcile throughput (ReplicatedVolume status): %d volumes in %.1f s from the "
                        + "operator's start = %.0f/s (includes JVM start and informer sync)%n", volumes,
                        statusAll / 1000.0, volumes / (statusAll / 1000.0));
            }
            long max = rss.stream().mapToLong(Long::longValue).max().orElse(0);
            List<Long> all = new ArrayList<>(rss);
            all.sort(null);
            long over = rss.stream().filter(k -> (k << 10) > shipped.memoryLimitBytes()).count();
            System.out.printf("operator RSS over the whole run: median %d MiB, max %d MiB, at the end %d MiB (sampled "
                            + "every second from /proc/%d/status VmRSS); %d of %d samples above the chart's %d MiB "
                            + "limit (a container would have been OOM-killed there)%n", pct(all, 50) >> 10, max >> 10,
                    rss.get(rss.size() - 1) >> 10, pid, over, rss.size(), shipped.memoryLimitBytes() >> 20);
            metricsSeries(httpPort);
            vmWatch.close();
            snWatch.close();
            rvWatch.close();
            System.out.println("load at the end: " + load());
        } finally {
            if (operator != null) {
                operator.destroy();
                operator.waitFor(20, TimeUnit.SECONDS);
                operator.destroyForcibly();
            }
            if (agents != null) {
                agents.destroy();
                agents.waitFor(10, TimeUnit.SECONDS);
                agents.destroyForcibly();
            }
            try {
                cleanup(kube);
            } catch (RuntimeException e) {
                System.out.println("cleanup failed (bench/operator-scale-real.sh deletes by label next): " + e);
            }
            kube.close();
        }
    }

    static void report(List<long[]> seen, List<Long> rss, Map<String, Long> before, Map<String, Long> after,
                       int passes, double seconds) {
        // Steady passes: leave out the first (informers warming, models empty).
        List<Long> whole = new ArrayList<>();
        List<Long> observe = new ArrayList<>();
        for (long[] p : seen.subList(1, seen.size())) {
            whole.add(p[5]);
            observe.add(p[2]);
        }
        whole.sort(null);
        observe.sort(null);
        System.out.printf("planner pass, whole pass (n=%d, first pass left out): p50 %d ms, p99 %d ms, max %d "
                + "ms; observe (telemetry + listing) p50 %d ms%n", whole.size(), pct(whole, 50), pct(whole, 99),
                whole.get(whole.size() - 1), pct(observe, 50));
        List<Long> r = new ArrayList<>(rss.subList(Math.min(30, rss.size() - 1), rss.size()));
        r.sort(null);
        System.out.printf("operator RSS over the steady passes: p50 %d MiB, max %d MiB%n", pct(r, 50) >> 10,
                r.get(r.size() - 1) >> 10);
        Map<String, Long> delta = new TreeMap<>();
        after.forEach((k, v) -> {
            long d = v - before.getOrDefault(k, 0L);
            if (d > 0) {
                delta.put(k, d);
            }
        });
        long total = delta.values().stream().mapToLong(Long::longValue).sum();
        System.out.printf("API requests (apiserver_request_total, all clients, bench watches included) over %d passes"
                + " in %.0f s: %d = %.0f per pass; by resource and verb:%n", passes, seconds, total,
                passes == 0 ? 0.0 : (double) total / passes);
        delta.forEach((k, v) -> System.out.printf("    %-50s %7d  (%.1f per pass)%n", k, v, (double) v / passes));
    }

    /** How many series the operator exports, and how many of them are the operator framework's. */
    static void metricsSeries(int port) {
        try {
            var http = java.net.http.HttpClient.newHttpClient();
            String body = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port
                    + "/q/metrics")).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            long series = body.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).count();
            long framework = body.lines().filter(l -> l.startsWith("operator_sdk")).count();
            System.out.printf("operator /q/metrics: %d series, %d of them operator_sdk_*%n", series, framework);
        } catch (Exception e) {
            System.out.println("operator /q/metrics not read: " + e);
        }
    }

    /** The operator's own account of each wave it created (MigrationCreator's log line). */
    static void waves(Path log) throws Exception {
        try (Stream<String> lines = Files.lines(log, StandardCharsets.UTF_8)) {
            lines.filter(l -> l.contains("VolumeMigration(s) created in")).forEach(l -> System.out.println(
                    "  operator: " + l.substring(l.indexOf(")") + 2)));
        }
    }

    static final String OPERATOR_ACCOUNT = "prescient-operator";

    /**
     * A kubeconfig for the operator with the token of a ServiceAccount bound to cluster-admin (labelled, deleted at
     * the end), the API server and CA of the bench's own kubeconfig.
     */
    static Path serviceAccountKubeconfig(KubernetesClient kube, io.fabric8.kubernetes.client.Config config, Path work)
            throws Exception {
        kube.serviceAccounts().inNamespace(NS).resource(new io.fabric8.kubernetes.api.model.ServiceAccountBuilder()
                .withNewMetadata().withName(OPERATOR_ACCOUNT).withNamespace(NS).addToLabels(LABEL, LABEL_VALUE)
                .endMetadata().build()).serverSideApply();
        kube.rbac().clusterRoleBindings().resource(new io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder()
                .withNewMetadata().withName(PREFIX + OPERATOR_ACCOUNT).addToLabels(LABEL, LABEL_VALUE).endMetadata()
                .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("ClusterRole")
                .withName("cluster-admin").endRoleRef()
                .addNewSubject().withKind("ServiceAccount").withName(OPERATOR_ACCOUNT).withNamespace(NS).endSubject()
                .build()).serverSideApply();
        String token = kube.serviceAccounts().inNamespace(NS).withName(OPERATOR_ACCOUNT).tokenRequest(
                new io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder().withNewSpec()
                        .withExpirationSeconds(6 * 3600L).endSpec().build()).getStatus().getToken();
        String ca = config.getCaCertData() != null ? config.getCaCertData()
                : java.util.Base64.getEncoder().encodeToString(Files.readAllBytes(Path.of(config.getCaCertFile())));
        Path kc = work.resolve("operator.kubeconfig");
        Files.writeString(kc, String.format("""
                apiVersion: v1
                kind: Config
                clusters:
                - name: bench
                  cluster: {server: "%s", certificate-authority-data: %s}
                users:
                - name: %s
                  user: {token: %s}
                contexts:
                - name: bench
                  context: {cluster: bench, user: %s}
                current-context: bench
                """, kube.getMasterUrl().toString().replaceAll("/$", ""), ca, OPERATOR_ACCOUNT, token,
                OPERATOR_ACCOUNT));
        return kc;
    }

    static long pct(List<Long> sorted, int p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    /** apiserver_request_total summed by resource/subresource and verb. */
    static Map<String, Long> apiRequests(KubernetesClient kube) {
        Map<String, Long> out = new TreeMap<>();
        Pattern line = Pattern.compile("^apiserver_request_total\\{(.*)\\} (\\S+)$");
        for (String l : kube.raw("/metrics").split("\n")) {
            Matcher m = line.matcher(l);
            if (!m.matches()) {
                continue;
            }
            Map<String, String> labels = new TreeMap<>();
            for (String kv : m.group(1).split(",(?=[a-z_]+=\")")) {
                int eq = kv.indexOf('=');
                labels.put(kv.substring(0, eq), kv.substring(eq + 2, kv.length() - 1));
            }
            String res = labels.getOrDefault("resource", "");
            if (res.isEmpty()) {
                continue;
            }
            String sub = labels.getOrDefault("subresource", "");
            String key = res + (sub.isEmpty() ? "" : "/" + sub) + " " + labels.get("verb");
            out.merge(key, (long) Double.parseDouble(m.group(2)), Long::sum);
        }
        return out;
    }

    static List<long[]> passes(Path log) throws Exception {
        List<long[]> out = new ArrayList<>();
        if (!Files.exists(log)) {
            return out;
        }
        try (Stream<String> lines = Files.lines(log, StandardCharsets.UTF_8)) {
            lines.forEach(l -> {
                Matcher m = PASS.matcher(l);
                if (m.find()) {
                    long[] p = new long[GROUPS.length];
                    for (int i = 0; i < p.length; i++) {
                        p[i] = Long.parseLong(m.group(GROUPS[i]));
                    }
                    out.add(p);
                }
            });
        } catch (java.io.UncheckedIOException e) {
            // a line being written: next time
        }
        return out;
    }

    static long rssKiB(long pid) throws Exception {
        for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (l.startsWith("VmRSS:")) {
                return Long.parseLong(l.replaceAll("[^0-9]", ""));
            }
        }
        return 0;
    }

    static String load() throws Exception {
        return Files.readString(Path.of("/proc/loadavg")).trim();
    }

    /** A run of n free TCP ports on 127.0.0.1 (checked one by one). */
    static int freePortRange(int n) throws Exception {
        for (int attempt = 0; attempt < 50; attempt++) {
            int base = 20000 + new java.util.Random().nextInt(30000);
            boolean ok = true;
            for (int i = 0; i < n && ok; i++) {
                try (ServerSocket s = new ServerSocket(base + i, 1, java.net.InetAddress.getLoopbackAddress())) {
                    s.setReuseAddress(true);
                } catch (java.io.IOException e) {
                    ok = false;
                }
            }
            if (ok) {
                return base;
            }
        }
        throw new IllegalStateException("no " + n + " free ports in a row");
    }

    static void crds(KubernetesClient kube, Path root) throws Exception {
        try (Stream<Path> files = Files.list(root.resolve("crds"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                try (InputStream in = Files.newInputStream(f)) {
                    CustomResourceDefinition crd = kube.getKubernetesSerialization().unmarshal(in,
                            CustomResourceDefinition.class);
                    kube.resource(crd).forceConflicts().serverSideApply();
                }
            }
        }
        for (String crd : List.of("replicatedvolumes", "storagenodes", "volumemigrations", "mirrorpolicies",
                "storagetiers")) {
            kube.apiextensions().v1().customResourceDefinitions().withName(crd + ".storage.prescient.dev")
                    .waitUntilCondition(c -> c.getStatus() != null && c.getStatus().getConditions().stream()
                            .anyMatch(x -> x.getType().equals("Established") && x.getStatus().equals("True")),
                            60, TimeUnit.SECONDS);
        }
    }

    static void objects(KubernetesClient kube, int volumes, int nodes, int basePort) throws Exception {
        for (String t : List.of("nvme", "ssd", "hdd")) {
            if (kube.resources(StorageTier.class).withName(t).get() == null) {
                StorageTier st = kube.getKubernetesSerialization().unmarshal(String.format("""
                        apiVersion: storage.prescient.dev/v1alpha1
                        kind: StorageTier
                        metadata: {name: %s, labels: {%s: %s}}
                        spec: {media: %s, rank: %d, path: /var/lib/prescient/%s, reservePercent: 10}
                        """, t, LABEL, LABEL_VALUE, t.equals("nvme") ? "NVMe" : t.toUpperCase(),
                        t.equals("nvme") ? 0 : t.equals("ssd") ? 1 : 2, t), StorageTier.class);
                kube.resource(st).create();
            }
        }
        // Tiering steady (every class on ssd, where the volumes are) so that the failure is the only news.
        MirrorPolicy p = kube.getKubernetesSerialization().unmarshal(String.format("""
                apiVersion: storage.prescient.dev/v1alpha1
                kind: MirrorPolicy
                metadata: {name: %s, labels: {%s: %s}}
                spec:
                  weights: {frequency: 0.35, recency: 0.25, sourceNode: 0.2, application: 0.1, dataType: 0.0, timeOfDay: 0.1}
                  decayHalfLife: 2h
                  extentSize: 4Mi
                  thresholds: {preStage: 0.3, mirror: 0.5, migrate: 0.8}
                  heatClasses:
                    hot:  {tier: ssd, replicas: 1, minScore: 0.7}
                    warm: {tier: ssd, replicas: 1, minScore: 0.3}
                    cold: {tier: ssd, replicas: 1, minScore: 0.0}
                  replication: {mode: Sync, compression: LZ4, dedup: true}
                  migration: {benefitThreshold: 0.2, hysteresis: 0.1, coolDown: 15m, maxConcurrentPerNode: 64,
                              maxConcurrentPerCluster: 200, bandwidthLimit: 200Mi}
                  failurePrediction: {enabled: true, thresholdMode: Static, probabilityThreshold: 0.5,
                                      minConfidence: 0.5, horizon: 72h, rollbackAfter: 168h}
                  capacity: {forecastHorizon: 24h, bufferPercent: 20}
                  preStaging: {enabled: false, expireAfter: 12h, leadTime: 30m}
                  evaluationInterval: 10s
                  spread: Node
                """, POLICY, LABEL, LABEL_VALUE), MirrorPolicy.class);
        kube.resource(p).create();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> fs = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            int n = i;
            fs.add(pool.submit(() -> {
                StorageNode sn = new StorageNode();
                sn.setMetadata(new ObjectMetaBuilder().withName(FakeAgentServer.node(PREFIX, n))
                        .addToLabels(LABEL, LABEL_VALUE).build());
                StorageNodeSpec spec = new StorageNodeSpec();
                spec.setNodeName(FakeAgentServer.node(PREFIX, n));
                spec.setZone("zone-" + (n % 3));
                spec.setAgentEndpoint("127.0.0.1:" + (basePort + n));
                spec.setCordoned(false);
                sn.setSpec(spec);
                return create(kube, sn);
            }));
        }
        AtomicInteger made = new AtomicInteger();
        for (int i = 0; i < volumes; i++) {
            int n = i;
            fs.add(pool.submit(() -> {
                ReplicatedVolume v = new ReplicatedVolume();
                v.setMetadata(new ObjectMetaBuilder().withName(FakeAgentServer.volume(PREFIX, n))
                        .addToLabels(LABEL, LABEL_VALUE).build());
                ReplicatedVolumeSpec s = new ReplicatedVolumeSpec();
                s.setCapacityBytes(1L << 30);
                s.setPolicy(POLICY);
                s.setInitialTier("ssd");
                s.setReplicas(1);
                v.setSpec(s);
                create(kube, v);
                return made.incrementAndGet();
            }));
        }
        for (Future<?> f : fs) {
            f.get();
        }
        pool.shutdown();
    }

    /**
     * Create, retried: the v1.25-alpha API server of ../shared/kube now and then answers a create under load with 422
     * "internal error: runtime error: index out of range" from its CEL evaluator, or times out. 409: already there.
     */
    static <T extends io.fabric8.kubernetes.api.model.HasMetadata> T create(KubernetesClient kube, T o)
            throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                return kube.resource(o).create();
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                if (e.getCode() == 409) {
                    return o;
                }
                boolean transientError = e.getCode() >= 500 || e.getCode() == 0 || e.getCode() == 429
                        || (e.getCode() == 422 && String.valueOf(e.getMessage()).contains("internal error"));
                if (!transientError || attempt >= 5) {
                    throw e;
                }
                Thread.sleep(200L * attempt);
            }
        }
    }

    /** Deletes every object of the benchmark (by label; collection deletes), and waits until they are gone. */
    static void cleanup(KubernetesClient kube) throws Exception {
        long t = System.nanoTime();
        kube.resources(VolumeMigration.class).withLabel(LABEL, LABEL_VALUE).delete();
        // Migrations the operator made carry no bench label: those of the bench's volumes.
        for (VolumeMigration m : kube.resources(VolumeMigration.class).list().getItems()) {
            if (m.getSpec() != null && m.getSpec().getVolume() != null && m.getSpec().getVolume().startsWith(PREFIX)) {
                kube.resource(m).delete();
            }
        }
        kube.resources(ReplicatedVolume.class).withLabel(LABEL, LABEL_VALUE).delete();
        kube.resources(StorageNode.class).withLabel(LABEL, LABEL_VALUE).delete();
        kube.resources(MirrorPolicy.class).withLabel(LABEL, LABEL_VALUE).delete();
        kube.resources(StorageTier.class).withLabel(LABEL, LABEL_VALUE).delete();
        kube.rbac().clusterRoleBindings().withLabel(LABEL, LABEL_VALUE).delete();
        kube.namespaces().withLabel(LABEL, LABEL_VALUE).delete();
        for (int i = 0; i < 120; i++) {
            int left = kube.resources(ReplicatedVolume.class).withLabel(LABEL, LABEL_VALUE).list().getItems().size()
                    + kube.resources(StorageNode.class).withLabel(LABEL, LABEL_VALUE).list().getItems().size();
            if (left == 0) {
                break;
            }
            Thread.sleep(1000);
        }
        System.out.printf("cleanup: bench objects deleted in %.1f s%n", (System.nanoTime() - t) / 1e9);
    }
}
