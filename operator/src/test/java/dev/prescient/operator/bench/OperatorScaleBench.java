package dev.prescient.operator.bench;

import dev.prescient.api.v1alpha1.migration.MigrationReason;
import dev.prescient.api.v1alpha1.migration.VolumeMigration;
import dev.prescient.operator.metrics.OperatorMetrics;
import dev.prescient.operator.migration.MigrationExecutor;
import dev.prescient.operator.migration.MigrationStateMachine;
import dev.prescient.operator.plan.ClusterView;
import dev.prescient.operator.plan.HeatLevel;
import dev.prescient.operator.plan.PlacementPlanner;
import dev.prescient.operator.plan.Plan;
import dev.prescient.operator.loop.PlannerLoop;
import dev.prescient.operator.plan.PlannerSettings;
import dev.prescient.operator.act.KubeEvents;
import dev.prescient.operator.reconcile.PlannerFixture;
import dev.prescient.operator.reconcile.VolumeMigrationReconciler;
import dev.prescient.operator.telemetry.VolumeForecasts;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.javaoperatorsdk.operator.Operator;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Scale benchmark (not a test): 10,000 ReplicatedVolumes on 100 StorageNodes with in-memory agents.
 * Prints the pure planner pass time, an end-to-end planner pass against the fabric8 mock API server, the time
 * from a node's failure probability crossing the threshold to the first VolumeMigration, migration reconcile
 * throughput, and resident memory. Run: bench/operator-scale.sh [volumes] [nodes].
 */
public final class OperatorScaleBench {

    public static void main(String[] args) throws Exception {
        // The mock server logs every request; the figures are what matters here.
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        root.setLevel(java.util.logging.Level.WARNING);
        for (var h : root.getHandlers()) {
            h.setLevel(java.util.logging.Level.WARNING);
        }
        int volumes = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int nodes = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        System.out.printf("operator scale benchmark: %d volumes, %d nodes, %d cores%n", volumes, nodes,
                Runtime.getRuntime().availableProcessors());
        purePlanner(volumes, nodes);
        forecasts(volumes);
        endToEnd(volumes, nodes);
        System.out.printf("resident memory (VmRSS) at the end: %s; heap used %d MiB%n", rss(),
                (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20);
        System.exit(0);
    }

    /**
     * The forecasters' share of a pass: every volume observed once per pass, one 30-minute step per pass, so that
     * from the 8th step on every volume wants a model and the training budget (200 per pass) spreads them out.
     */
    static void forecasts(int volumes) {
        long heapBefore = heapAfterGc();
        VolumeForecasts f = new VolumeForecasts(VolumeForecasts.Config.defaults());
        Random rnd = new Random(3);
        long[] used = new long[volumes];
        for (int v = 0; v < volumes; v++) {
            used[v] = (1L + rnd.nextInt(50)) << 30;
        }
        Instant t0 = Instant.parse("2026-11-21T00:00:00Z");
        List<Double> ms = new ArrayList<>();
        int passes = 24;
        for (int step = 0; step < passes; step++) {
            Instant at = t0.plus(Duration.ofMinutes(30L * step));
            long t = System.nanoTime();
            f.beginPass();
            for (int v = 0; v < volumes; v++) {
                used[v] += rnd.nextInt(1 << 24);
                f.observe("pv-" + v, at, used[v], rnd.nextDouble() * 100);
            }
            for (int v = 0; v < volumes; v++) {
                f.capacity("pv-" + v, Duration.ofHours(24));
            }
            ms.add((System.nanoTime() - t) / 1e6);
        }
        long modelled = 0;
        for (int v = 0; v < volumes; v++) {
            if (f.capacity("pv-" + v, Duration.ofHours(24)) != null) {
                modelled++;
            }
        }
        List<Double> sorted = new ArrayList<>(ms.subList(8, ms.size()));
        sorted.sort(null);
        System.out.printf("forecasters (%d volumes, one 30 min step per pass, training budget 200/pass): passes 1-8 "
                        + "(no models yet) median %.1f ms; passes 9-%d (training, n=" + sorted.size() + ") median %.1f ms, max %.1f ms; %d volumes "
                        + "with a capacity model after %d passes%n", volumes,
                median(ms.subList(0, 8)), passes, sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1),
                modelled, passes);
        System.out.printf("forecasters' heap with %d modelled volumes (two models each): %d MiB%n", modelled,
                (heapAfterGc() - heapBefore) >> 20);
        if (f.samples("pv-0") < 0) {
            System.out.println(); // keeps f reachable until measured
        }
    }

    static long heapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
    }

    static double median(List<Double> xs) {
        List<Double> c = new ArrayList<>(xs);
        c.sort(null);
        return c.get(c.size() / 2);
    }

    static void purePlanner(int volumes, int nodes) {
        Random rnd = new Random(1);
        Instant now = Instant.parse("2026-11-21T12:00:00Z");
        List<ClusterView.NodeView> ns = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            ns.add(new ClusterView.NodeView("node-" + i, "zone-" + (i % 3), true, false, i == 7 ? 0.9 : 0.01, 0.9,
                    Map.of("ssd", 1L << 40, "nvme", 1L << 39, "hdd", 1L << 41), 0));
        }
        List<ClusterView.VolumeView> vs = new ArrayList<>();
        for (int i = 0; i < volumes; i++) {
            String home = "node-" + (i % nodes);
            Map<String, Double> aff = new HashMap<>();
            aff.put(home, 0.5 + 0.5 * rnd.nextDouble());
            aff.put("node-" + rnd.nextInt(nodes), rnd.nextDouble() * 0.5);
            Map<String, Double> ahead = new HashMap<>(aff);
            ahead.put("node-" + rnd.nextInt(nodes), rnd.nextDouble());
            double heat = rnd.nextDouble();
            HeatLevel current = heat > 0.6 ? HeatLevel.Hot : heat > 0.2 ? HeatLevel.Warm : HeatLevel.Cold;
            String tier = current == HeatLevel.Hot ? "nvme" : current == HeatLevel.Warm ? "ssd" : "hdd";
            List<ClusterView.ReplicaView> rs = new ArrayList<>();
            rs.add(new ClusterView.ReplicaView("r" + i, home, tier, ClusterView.Role.Primary, true,
                    now.minus(Duration.ofDays(3)), now));
            if (current == HeatLevel.Hot) {
                rs.add(new ClusterView.ReplicaView("m" + i, "node-" + ((i + 1) % nodes), tier,
                        ClusterView.Role.Mirror, true, now.minus(Duration.ofDays(3)), now));
            }
            vs.add(new ClusterView.VolumeView("pv-" + i, 100L << 30, (10L + rnd.nextInt(50)) << 30, 1, rs, heat,
                    current, aff, ahead, (20L + rnd.nextInt(60)) << 30, null, Set.of(), Set.of()));
        }
        ClusterView view = new ClusterView(now, ns, vs, List.of(), 10L << 30);
        PlacementPlanner planner = new PlacementPlanner(PlannerSettings.defaults().withLimits(5, 200));
        long[] t = new long[10];
        Plan plan = null;
        for (int i = 0; i < 3; i++) {
            plan = planner.plan(view);
        }
        for (int i = 0; i < t.length; i++) {
            long s = System.nanoTime();
            plan = planner.plan(view);
            t[i] = System.nanoTime() - s;
        }
        Arrays.sort(t);
        System.out.printf("pure planner pass (%d volumes, %d nodes), n=%d passes after 3 warm-up: median %.1f ms, max %.1f ms;"
                        + " %d actions admitted, %d deferred by limits/cool-down%n", volumes, nodes, t.length, t[t.length / 2] / 1e6,
                t[t.length - 1] / 1e6, plan.actions().size(), plan.deferred().size());
    }

    static void endToEnd(int volumes, int nodes) throws Exception {
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init();
        KubernetesClient client = server.createClient();
        Path crds = Path.of("").toAbsolutePath();
        while (!Files.isDirectory(crds.resolve("crds"))) {
            crds = crds.getParent();
        }
        try (Stream<Path> files = Files.list(crds.resolve("crds"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
                try (InputStream in = Files.newInputStream(f)) {
                    client.apiextensions().v1().customResourceDefinitions().resource(client
                            .getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class)).create();
                }
            }
        }
        PlannerFixture f = new PlannerFixture(client);
        long s0 = System.nanoTime();
        f.nodes(nodes);
        f.volumes(volumes, nodes, 4096, "standard");
        System.out.printf("setup: %d StorageNodes + %d ReplicatedVolumes created in the mock API server in %.1f s%n",
                nodes, volumes, (System.nanoTime() - s0) / 1e9);
        // Tiering is steady (every volume already on its class's tier) so the failure is the only news.
        PlannerSettings settings = PlannerSettings.defaults().withLimits(200, 200);
        settings = new PlannerSettings(settings.preStageScore(), settings.mirrorScore(), settings.migrateScore(),
                settings.hot(), new PlannerSettings.HeatTier("Warm", 0.2, "ssd", 1),
                new PlannerSettings.HeatTier("Cold", 0.0, "ssd", 1), settings.benefitThreshold(),
                settings.hysteresis(), settings.coolDown(), 200, 200, settings.bandwidthPerMigration(),
                true, 0.5, 0.6, settings.rollbackAfter(), true, settings.preStageExpireAfter(), 1,
                settings.capacityHorizon(), 20, false, Set.of(), Set.of());
        PlannerLoop loop = f.loop("default");
        for (int i = 0; i < 2; i++) {
            PlannerLoop.Result r = loop.evaluate("standard", settings);
            System.out.printf("end-to-end planner pass %d: telemetry pull from %d agents + listing %.0f ms, planning"
                            + " %.0f ms, acting %.0f ms; %d migrations created%n", i + 1, r.nodes(),
                    r.telemetry().toMillis() * 1.0, r.planning().toMillis() * 1.0, r.acting().toMillis() * 1.0,
                    r.created());
        }
        long before = client.resources(VolumeMigration.class).list().getItems().size();
        long c0 = System.nanoTime();
        f.setFailureProbability(PlannerFixture.node(7), 0.9);
        PlannerLoop.Result r = loop.evaluate("standard", settings);
        List<VolumeMigration> evac = client.resources(VolumeMigration.class).list().getItems().stream()
                .filter(m -> m.getSpec().getReason() == MigrationReason.PredictedFailure).toList();
        double crossing = (System.nanoTime() - c0) / 1e6;
        System.out.printf("failure probability of %s crossed 0.5 -> %d evacuation VolumeMigrations exist after %.0f ms"
                        + " (one planner pass, started right after the crossing; add up to one evaluationInterval"
                        + " when the crossing falls between passes); %d migrations existed before%n",
                PlannerFixture.node(7), evac.size(), crossing, before);
        System.out.printf("  first explanation: %s%n", evac.isEmpty() ? "-" : evac.get(0).getSpec().getExplanation());

        // Reconcile throughput: the VolumeMigration controller drives the evacuations through the fake agents.
        MigrationExecutor ex = new MigrationExecutor(f.agents, new MigrationStateMachine(10), Clock.systemUTC(),
                Duration.ofMillis(10));
        Operator op = new Operator(o -> o.withKubernetesClient(client).withUseSSAToPatchPrimaryResource(false)
                .withCloseClientOnStop(false).withConcurrentReconciliationThreads(8));
        op.register(new VolumeMigrationReconciler(ex, new KubeEvents(client, Clock.systemUTC()),
                new OperatorMetrics(f.registry), Clock.systemUTC()));
        long t0 = System.nanoTime();
        op.start();
        int total = evac.size();
        int done = 0;
        while (System.nanoTime() - t0 < 180e9) {
            done = (int) client.resources(VolumeMigration.class).list().getItems().stream()
                    .filter(m -> m.getSpec().getReason() == MigrationReason.PredictedFailure && m.getStatus() != null
                            && m.getStatus().getPhase() != null && m.getStatus().getPhase().terminal()).count();
            if (done >= total) {
                break;
            }
            Thread.sleep(200);
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        System.out.printf("reconcile throughput: %d of %d evacuation migrations finished in %.1f s = %.1f migrations/s"
                        + " (7 phases each, one status patch per step: %.0f reconciles/s)%n", done, total, secs,
                done / secs, done * 7 / secs);
        op.stop();
        server.destroy();
    }

    static String rss() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS")) {
                return line.substring(6).trim();
            }
        }
        return "?";
    }
}
