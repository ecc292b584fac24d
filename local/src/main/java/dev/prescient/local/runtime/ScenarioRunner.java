package dev.prescient.local.runtime;

import dev.prescient.engine.io.AtomicFiles;
import dev.prescient.local.scenario.Scenario;
import dev.prescient.local.scenario.TraceReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Drives a scenario tick by tick: the workload's reads and writes through each volume's front-end, the reader that
 * moves between nodes on a daily cycle, and the degrading node's media (a fault file its engines watch). It decides
 * nothing: the operator sees the same engines' telemetry and node health that a cluster would show it and moves the
 * data; {@link ClusterWatch} reports what it did and what it forecast. Keeps the heat history the live view
 * draws.
 */
public final class ScenarioRunner implements AutoCloseable {
    private static final int HISTORY = 240;

    private final Scenario sc;
    private final Map<String, LocalVolume> volumes;
    private final Map<String, Path> faultFiles;
    private final ClusterWatch watch;
    private final Random random;
    /** Every read, for the scorecard: latency, served on the reader's node or not, on the failing disk or not. */
    private final dev.prescient.local.score.ReadStats reads = new dev.prescient.local.score.ReadStats(5);
    /** Each volume's first replica (its read source until a switch-over). */
    private final Map<String, dev.prescient.local.score.ReadSource.Place> first = new LinkedHashMap<>();
    private final Map<String, NodeState> nodes = new LinkedHashMap<>();
    private final Map<String, VolumeHistory> history = new LinkedHashMap<>();
    private final List<ReaderMove> readerMoves = Collections.synchronizedList(new ArrayList<>());
    private int tick;
    private long ioErrors;
    private long lastRefreshNanos;

    /** One node now: the latency its media was given, and the operator's view of its health over time. */
    public static final class NodeState {
        public volatile long injectedLatencyMicros;
        public volatile double healthScore = 1;
        public volatile double failureProbability;
        public final List<double[]> series = new ArrayList<>(); // [t, health, failureProbability]
    }

    /** What the view draws for a volume. */
    public static final class VolumeHistory {
        public final List<double[]> heat = new ArrayList<>();      // per tick: extent rates
    }

    /** When (scenario seconds) a volume's reader moved to another node. */
    public record ReaderMove(String volume, String from, String to, double at) {
    }

    /** A trace being replayed into a volume. */
    public record TraceReplay(Scenario.Trace spec, TraceReader reader) {
    }

    private final List<TraceReplay> traces = new ArrayList<>();

    public ScenarioRunner(Scenario sc, Map<String, LocalVolume> volumes, Map<String, Path> faultFiles,
            ClusterWatch watch) {
        this.sc = sc;
        this.volumes = volumes;
        this.faultFiles = Map.copyOf(faultFiles);
        this.watch = watch;
        this.random = new Random(sc.seed);
        volumes.forEach((k, v) -> first.put(k, new dev.prescient.local.score.ReadSource.Place(
                v.servingNode() == null ? "" : v.servingNode(), v.servingTier() == null ? "" : v.servingTier())));
        for (String n : sc.nodes) {
            nodes.put(n, new NodeState());
        }
        for (String v : volumes.keySet()) {
            history.put(v, new VolumeHistory());
        }
    }

    /** Adds a trace to replay from the next tick on. */
    public void addTrace(TraceReplay t) {
        traces.add(t);
    }

    public List<TraceReplay> traces() {
        return List.copyOf(traces);
    }

    /** The span of scenario time the kept history covers (the live view's time axis). */
    public double historySeconds() {
        return HISTORY * sc.tickMillis / 1000.0;
    }

    public int ticksPerDay() {
        return sc.dayLengthSeconds * 1000 / sc.tickMillis;
    }

    public double seconds() {
        return tick * sc.tickMillis / 1000.0;
    }

    /** One step of the scenario. */
    public void tick() {
        double t = seconds();
        double tod = sc.timeOfDay(t);
        for (Scenario.Hotspot h : sc.hotspots) {
            LocalVolume v = volumes.get(h.volume);
            String reader = sc.readerAtSeconds(h, t);
            if (reader != null && !reader.equals(v.reader())) {
                readerMoves.add(new ReaderMove(v.name, v.reader(), reader, t));
                try {
                    v.moveReader(reader);
                } catch (IOException e) {
                    ioErrors++;
                }
            }
            int bpe = v.blocksPerExtent();
            // Poisson-like noise around the daily profile, so forecasts have something to be wrong about.
            double mean = Scenario.hotspotOps(h, tod);
            int n = (int) Math.max(0, Math.round(mean + Math.sqrt(mean) * random.nextGaussian()));
            for (int i = 0; i < n; i++) {
                int block = (h.firstExtent + random.nextInt(h.extents)) * bpe + random.nextInt(bpe);
                io(v, block, random.nextDouble() < 0.3);
            }
        }
        for (Scenario.Background b : sc.background) {
            LocalVolume v = volumes.get(b.volume);
            int limit = v.blocks();
            for (Scenario.Growth g : sc.growth) {
                if (g.volume.equals(b.volume)) {
                    double f = g.fromFraction + (g.toFraction - g.fromFraction) * Math.min(1.0, t / g.overSeconds);
                    limit = Math.max(1, (int) (v.blocks() * f));
                }
            }
            for (int i = 0; i < b.opsPerTick; i++) {
                io(v, random.nextInt(limit), random.nextDouble() < b.writeFraction);
            }
        }
        for (TraceReplay tr : traces) {
            LocalVolume v = volumes.get(tr.spec().volume);
            for (int i = 0; i < tr.spec().requestsPerTick; i++) {
                TraceReader.Request req;
                try {
                    req = tr.reader().next();
                } catch (IOException e) {
                    ioErrors++;
                    break;
                }
                // Trace devices are larger than local volumes: fold offsets into the volume, at most 4 blocks.
                int first = (int) ((req.offset() / v.blockSize) % v.blocks());
                int count = (int) Math.min(4, Math.max(1, (req.length() + v.blockSize - 1) / v.blockSize));
                for (int b = 0; b < count && first + b < v.blocks(); b++) {
                    io(v, first + b, req.write());
                }
            }
        }
        degrade(t);
        long now = System.nanoTime();
        if (now - lastRefreshNanos > 1_000_000_000L) {
            lastRefreshNanos = now;
            refresh(t);
        }
        double decay = Math.pow(0.5, 1.0 / sc.policy.heatHalfLifeTicks);
        for (LocalVolume v : volumes.values()) {
            double[] heat = v.tickHeat();
            double[] rate = new double[heat.length];
            for (int i = 0; i < heat.length; i++) {
                rate[i] = heat[i] * (1 - decay);
            }
            VolumeHistory hist = history.get(v.name);
            synchronized (hist) {
                hist.heat.add(rate);
                trim(hist.heat);
            }
        }
        tick++;
    }

    /** Reads what the operator and the agents did: replicas per volume, node health, migrations. */
    public void refresh(double t) {
        watch.refresh();
        List<ClusterWatch.Migration> migrations = watch.migrations();
        for (LocalVolume v : volumes.values()) {
            List<Replica> rs = watch.replicas(v.volumeId);
            v.replicas(rs);
            List<dev.prescient.local.score.ReadSource.Move> done = new ArrayList<>();
            for (ClusterWatch.Migration m : migrations) {
                Double at = m.phaseSeenAt().get(dev.prescient.api.v1alpha1.migration.MigrationPhase.Succeeded);
                if (at != null && (m.volume().equals(v.volumeId) || m.volume().equals(v.name))) {
                    done.add(new dev.prescient.local.score.ReadSource.Move(m.to(), m.keepSource(), at));
                }
            }
            var place = dev.prescient.local.score.ReadSource.resolve(first.get(v.name), rs.stream()
                    .map(r -> new dev.prescient.local.score.ReadSource.Copy(r.node(), r.tier(), r.healthy(),
                            r.replicaId())).toList(), done, watch.readSource(v.volumeId));
            v.serving(place.node(), place.tier());
        }
        var health = watch.health();
        nodes.forEach((name, s) -> {
            ClusterWatch.NodeHealth h = health.get(name);
            if (h != null) {
                s.healthScore = h.healthScore();
                s.failureProbability = h.failureProbability();
            }
            synchronized (s.series) {
                s.series.add(new double[] {t, s.healthScore, s.failureProbability});
                trim(s.series);
            }
        });
    }

    /**
     * The degrading node's media slow down from startSeconds on: its engines read the latency from their fault
     * file, so the slowdown shows in the engines' latency histograms, the agent's node health and the operator's
     * failure prediction, as a failing disk's would.
     */
    private void degrade(double t) {
        Scenario.DegradingNode d = sc.degradingNode;
        for (var e : nodes.entrySet()) {
            long us = 0;
            if (d != null && d.node.equals(e.getKey()) && t >= d.startSeconds) {
                us = Math.min(d.maxLatencyMicros, (long) (d.latencyMicrosPerSecond * (t - d.startSeconds)));
            }
            NodeState s = e.getValue();
            Path f = faultFiles.get(e.getKey());
            if (f != null && us != s.injectedLatencyMicros) {
                try {
                    Files.createDirectories(f.getParent());
                    AtomicFiles.write(f, "latency_us=" + us + "\n");
                    s.injectedLatencyMicros = us;
                } catch (IOException ex) {
                    ioErrors++;
                }
            }
        }
    }

    private static <T> void trim(List<T> l) {
        while (l.size() > HISTORY) {
            l.remove(0);
        }
    }

    private void io(LocalVolume v, int block, boolean write) {
        try {
            if (write) {
                byte[] data = new byte[v.blockSize];
                random.nextBytes(data);
                v.write(block, data);
            } else {
                v.read(block);
                String at = v.servingNode();
                NodeState ns = at == null ? null : nodes.get(at);
                reads.record(seconds(), v.name, v.lastReadMicros(), v.reader().equals(at),
                        ns != null && ns.injectedLatencyMicros > 0);
            }
        } catch (IOException e) {
            ioErrors++;
        }
    }

    public dev.prescient.local.score.ReadStats reads() {
        return reads;
    }

    public ClusterWatch watch() {
        return watch;
    }

    public List<ReaderMove> readerMoves() {
        synchronized (readerMoves) {
            return List.copyOf(readerMoves);
        }
    }

    public Map<String, NodeState> nodes() {
        return nodes;
    }

    public Map<String, VolumeHistory> history() {
        return history;
    }

    public Map<String, LocalVolume> volumes() {
        return volumes;
    }

    public Scenario scenario() {
        return sc;
    }

    public long ioErrors() {
        return ioErrors;
    }

    public int tickCount() {
        return tick;
    }

    /** Heals the degraded media (so teardown and verification read at full speed) and closes the traces. */
    @Override
    public void close() {
        for (Path f : faultFiles.values()) {
            try {
                Files.deleteIfExists(f);
            } catch (IOException ignored) {
                // the node's run directory may be gone already
            }
        }
        for (TraceReplay tr : traces) {
            try {
                tr.reader().close();
            } catch (IOException ignored) {
                // read-only file; nothing to lose
            }
        }
    }
}
