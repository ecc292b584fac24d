package dev.prescient.local.runtime;

import dev.prescient.local.decide.Action;
import dev.prescient.local.decide.Decider;
import dev.prescient.local.decide.NodeHealthModel;
import dev.prescient.local.decide.ReaderForecast;
import dev.prescient.local.scenario.Scenario;
import dev.prescient.local.scenario.TraceReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Drives a scenario tick by tick: issues the workload's reads and writes through NBD, decays heat, updates node
 * health signals, forecasts, asks the decider what to do and hands actions to the mover. Keeps the history the
 * live view draws.
 */
public final class ScenarioRunner implements AutoCloseable {
    private static final int HISTORY = 240;
    private static final int BINS = 20;

    private final Scenario sc;
    private final Map<String, LocalVolume> volumes;
    private final Mover mover;
    private final Decider decider;
    private final Random random = new Random(42);
    private final ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "mover");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, ReaderForecast> readerForecasts = new HashMap<>();
    private final List<MigrationRecord> migrations = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, NodeState> nodes = new LinkedHashMap<>();
    private final Map<String, VolumeHistory> history = new LinkedHashMap<>();
    private int tick;
    private long ioErrors;
    private int migrationSeq;

    /** Health of one node now. */
    public static final class NodeState {
        public volatile double latencyRatio = 1;
        public volatile double errorsPerMinute;
        public volatile double healthScore = 1;
        public volatile double failureProbability;
        public final List<double[]> series = new ArrayList<>(); // [t, health, failureProbability]
    }

    /** What the view draws for a volume. */
    public static final class VolumeHistory {
        public final List<double[]> heat = new ArrayList<>();      // per tick: extent rates
        public final List<double[]> ops = new ArrayList<>();       // [t, actual, forecast, lo, hi]
        public final List<Double> rawOps = new ArrayList<>();
        public final List<Double> residuals = new ArrayList<>();
        public long remoteReads;
    }

    /** A trace being replayed into a volume. */
    public record TraceReplay(Scenario.Trace spec, TraceReader reader) {
    }

    private final List<TraceReplay> traces = new ArrayList<>();

    /** Adds a trace to replay from the next tick on. */
    public void addTrace(TraceReplay t) {
        traces.add(t);
    }

    public List<TraceReplay> traces() {
        return List.copyOf(traces);
    }

    public ScenarioRunner(Scenario sc, Map<String, LocalVolume> volumes, Mover mover) {
        this.sc = sc;
        this.volumes = volumes;
        this.mover = mover;
        Scenario.Policy p = sc.policy;
        this.decider = new Decider(new Decider.Settings(p.failureProbabilityThreshold, p.preStageLeadFraction,
                p.hotOpsPerExtent, p.coldOpsPerExtent, 0.6));
        for (String n : sc.nodes) {
            nodes.put(n, new NodeState());
        }
        for (String v : volumes.keySet()) {
            history.put(v, new VolumeHistory());
            readerForecasts.put(v, new ReaderForecast(BINS));
        }
    }

    public int ticksPerDay() {
        return sc.dayLengthSeconds * 1000 / sc.tickMillis;
    }

    public double seconds() {
        return tick * sc.tickMillis / 1000.0;
    }

    /** One step of the scenario; returns the actions started in this step. */
    public List<MigrationRecord> tick() {
        double t = seconds();
        double tod = sc.timeOfDay(t);
        Map<String, Integer> ops = new HashMap<>();
        for (Scenario.Hotspot h : sc.hotspots) {
            LocalVolume v = volumes.get(h.volume);
            String reader = Scenario.readerAt(h, tod);
            v.reader = reader;
            readerForecasts.get(v.name).observe(tod, reader);
            int bpe = v.blocksPerExtent();
            // Poisson-like noise around the daily profile, so forecasts have something to be wrong about.
            double mean = Scenario.hotspotOps(h, tod);
            int n = (int) Math.max(0, Math.round(mean + Math.sqrt(mean) * random.nextGaussian()));
            for (int i = 0; i < n; i++) {
                int block = (h.firstExtent + random.nextInt(h.extents)) * bpe + random.nextInt(bpe);
                boolean remote = io(v, block, random.nextDouble() < 0.3);
                if (remote) {
                    history.get(v.name).remoteReads++;
                }
            }
            ops.merge(v.name, n, Integer::sum);
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
            ops.merge(v.name, b.opsPerTick, Integer::sum);
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
            ops.merge(v.name, tr.spec().requestsPerTick, Integer::sum);
        }
        updateNodes(t);
        Map<String, Double> risk = new HashMap<>();
        nodes.forEach((n, s) -> risk.put(n, s.failureProbability));
        List<Decider.VolumeView> views = new ArrayList<>();
        Map<String, ReaderForecast.Prediction> predicted = new HashMap<>();
        for (LocalVolume v : volumes.values()) {
            double[] heat = v.tickHeat();
            double decay = Math.pow(0.5, 1.0 / sc.policy.heatHalfLifeTicks);
            double[] rate = new double[heat.length];
            double sum = 0;
            int hot = 0;
            for (int i = 0; i < heat.length; i++) {
                rate[i] = heat[i] * (1 - decay);
                sum += rate[i];
                if (rate[i] >= sc.policy.hotOpsPerExtent) {
                    hot++;
                }
            }
            VolumeHistory hist = history.get(v.name);
            synchronized (hist) {
                hist.heat.add(rate);
                trim(hist.heat);
                forecast(hist, t, ops.getOrDefault(v.name, 0));
            }
            boolean hasHotspot = sc.hotspots.stream().anyMatch(h -> h.volume.equals(v.name));
            if (hasHotspot) {
                readerForecasts.get(v.name).predict(tod + sc.policy.preStageLeadFraction)
                        .ifPresent(p -> predicted.put(v.name, p));
            }
            boolean busy = migrations.stream().anyMatch(m -> m.action.volume().equals(v.name) && !m.done());
            List<Decider.ReplicaView> rs = v.replicas().stream().filter(r -> r.state != Replica.State.Removing)
                    .map(r -> new Decider.ReplicaView(r.node, r.tier, r.primary, r.state == Replica.State.Healthy))
                    .toList();
            views.add(new Decider.VolumeView(v.name, rs, hasHotspot ? v.reader : null, sum / heat.length,
                    hot / (double) heat.length, busy, hasHotspot));
        }
        List<MigrationRecord> started = new ArrayList<>();
        // Heat needs a few ticks to mean anything; decisions start once it has settled.
        if (tick >= sc.policy.heatHalfLifeTicks) {
            for (Action a : decider.decide(views, risk, predicted, new HashSet<>(sc.nodes))) {
                MigrationRecord rec = new MigrationRecord(String.format("%s-%03d", a.volume(), ++migrationSeq), a, t);
                migrations.add(rec);
                started.add(rec);
                LocalVolume v = volumes.get(a.volume());
                executor.submit(() -> {
                    mover.run(v, rec);
                    rec.finishedAtSeconds = seconds();
                });
            }
        }
        tick++;
        return started;
    }

    /** Seasonal-naive forecast (same time yesterday) with an empirical 90% interval from past residuals. */
    private void forecast(VolumeHistory h, double t, int actual) {
        int day = ticksPerDay();
        double fc = h.rawOps.size() >= day ? h.rawOps.get(h.rawOps.size() - day) : Double.NaN;
        double lo = Double.NaN;
        double hi = Double.NaN;
        if (!Double.isNaN(fc)) {
            double q = quantile(h.residuals, 0.9);
            lo = Math.max(0, fc - q);
            hi = fc + q;
            h.residuals.add(Math.abs(actual - fc));
            trim(h.residuals);
        }
        h.rawOps.add((double) actual);
        if (h.rawOps.size() > 4 * day) {
            h.rawOps.remove(0);
        }
        h.ops.add(new double[] {t, actual, fc, lo, hi});
        trim(h.ops);
    }

    static double quantile(List<Double> xs, double q) {
        if (xs.isEmpty()) {
            return 0;
        }
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        return s.get(Math.min(s.size() - 1, (int) Math.ceil(q * s.size()) - 1));
    }

    private static <T> void trim(List<T> l) {
        while (l.size() > HISTORY) {
            l.remove(0);
        }
    }

    private void updateNodes(double t) {
        for (var e : nodes.entrySet()) {
            NodeState s = e.getValue();
            Scenario.DegradingNode d = sc.degradingNode;
            double noise = 0.03 * random.nextGaussian();
            if (d != null && d.node.equals(e.getKey()) && t >= d.startSeconds) {
                s.latencyRatio = 1 + d.latencyGrowthPerSecond * (t - d.startSeconds) + noise;
                s.errorsPerMinute = d.errorsPerSecond * 60;
            } else {
                s.latencyRatio = 1 + Math.abs(noise);
                s.errorsPerMinute = 0;
            }
            var sig = new NodeHealthModel.Signals(s.latencyRatio, s.errorsPerMinute);
            s.healthScore = NodeHealthModel.healthScore(sig);
            s.failureProbability = NodeHealthModel.failureProbability(sig);
            synchronized (s.series) {
                s.series.add(new double[] {t, s.healthScore, s.failureProbability});
                trim(s.series);
            }
        }
    }

    /** One read or write; returns whether a read crossed nodes (reader is not where the primary is). */
    private boolean io(LocalVolume v, int block, boolean write) {
        try {
            if (write) {
                byte[] data = new byte[v.blockSize];
                random.nextBytes(data);
                v.write(block, data);
                return false;
            }
            v.read(block);
            return v.reader != null && !v.reader.equals(v.primary().node);
        } catch (IOException e) {
            ioErrors++;
            return false;
        }
    }

    public List<MigrationRecord> migrations() {
        synchronized (migrations) {
            return List.copyOf(migrations);
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

    /** Waits for running actions to end. */
    @Override
    public void close() {
        executor.shutdown();
        try {
            executor.awaitTermination(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        executor.shutdownNow();
        for (TraceReplay tr : traces) {
            try {
                tr.reader().close();
            } catch (IOException ignored) {
                // read-only file; nothing to lose
            }
        }
    }
}
