package dev.prescient.operator.loop;

import dev.prescient.api.v1alpha1.migration.VolumeMigration;
import dev.prescient.api.v1alpha1.volume.ReplicatedVolume;
import dev.prescient.operator.act.PlannerActions;
import dev.prescient.operator.agent.ReplicaInventory;
import dev.prescient.operator.metrics.OperatorMetrics;
import dev.prescient.operator.observe.Observer;
import dev.prescient.operator.plan.ClusterView;
import dev.prescient.operator.plan.ModelState;
import dev.prescient.operator.plan.OperatorLimits;
import dev.prescient.operator.plan.PassRecorder;
import dev.prescient.operator.plan.PlacementPlanner;
import dev.prescient.operator.plan.Plan;
import dev.prescient.operator.plan.PlannerMemory;
import dev.prescient.operator.plan.PlannerSettings;
import dev.prescient.operator.plan.ReactivePolicy;
import dev.prescient.operator.plan.ReadPlacement;
import dev.prescient.operator.plan.ViewBuilder;
import dev.prescient.operator.plan.VolumeInsights;
import dev.prescient.operator.telemetry.AffinityProfiles;
import dev.prescient.operator.telemetry.NodeHealthModel;
import dev.prescient.operator.telemetry.VolumeForecasts;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One planner pass over any number of MirrorPolicies: observe once (the informer caches and one telemetry sweep of
 * every agent), then per policy decide (build the view, {@link PlacementPlanner}, {@link ReadPlacement}) and act
 * ({@link PlannerActions}), then save what was learnt and decided. Driven by {@link PlannerDriver}, on the leader
 * only. Observation, decisions and writes live in observe/, plan/ and act/; this class only puts them in order.
 */
public final class PlannerLoop implements AutoCloseable {

    /** What a pass did for one policy, for status, metrics and the benchmark. */
    public record Result(int volumes, int nodes, int created, int removed, int deferred, Duration telemetry,
                         Duration planning, Duration acting, Duration persisting, int stateParts, String planned) {
    }

    /** The models the passes learn into and plan from. */
    public record Models(NodeHealthModel health, AffinityProfiles profiles, VolumeForecasts forecasts) {
    }

    /**
     * The operator-wide planner settings (a policy's own come with each pass): movement caps, the heat score's scale,
     * how far ahead affinity is forecast, how long a new volume warms up, how often learnt state is saved, the
     * reactive baseline instead of the predictive planner (null: predictive), and where passes are recorded (null:
     * nowhere).
     */
    public record Config(OperatorLimits limits, double heatScale, Duration leadTime, Duration newVolumeWarmUp,
                         Duration stateSaveInterval, ReactivePolicy reactive, PassRecorder recorder) {

        public static Config of(OperatorLimits limits, double heatScale, Duration leadTime) {
            return new Config(limits, heatScale, leadTime, Duration.ZERO, DEFAULT_STATE_SAVE_INTERVAL, null, null);
        }

        public Config withNewVolumeWarmUp(Duration warmUp) {
            return new Config(limits, heatScale, leadTime, warmUp, stateSaveInterval, reactive, recorder);
        }
    }

    /** How often what was only learnt (not decided) is saved to the model-state ConfigMaps. */
    public static final Duration DEFAULT_STATE_SAVE_INTERVAL = Duration.ofMinutes(5);

    private final Observer observer;
    private final Models models;
    private final PlannerActions act;
    private final PlannerMemory memory;
    private final ViewBuilder views;
    private final OperatorMetrics metrics;
    private final Clock clock;
    private volatile Config config;

    public PlannerLoop(Observer observer, Models models, PlannerActions act, ModelState state,
                       OperatorMetrics metrics, Clock clock, Config config) {
        this.observer = observer;
        this.models = models;
        this.act = act;
        this.memory = new PlannerMemory(state, models.health(), models.profiles(), models.forecasts(),
                config.stateSaveInterval());
        this.views = new ViewBuilder(models.profiles(), models.forecasts(), memory, config.limits(),
                config.heatScale(), config.leadTime());
        this.metrics = metrics;
        this.clock = clock;
        this.config = config;
    }

    public VolumeInsights insights() {
        return act.insights();
    }

    public ReplicaInventory inventory() {
        return observer.inventory();
    }

    /** How long a new volume's heat builds up before its first move (prescient.planner.new-volume-warm-up). */
    public void setNewVolumeWarmUp(Duration warmUp) {
        config = config.withNewVolumeWarmUp(warmUp);
    }

    /** Waits until the model state handed to the writer is in the API server (tests, shutdown). */
    public boolean flushState(Duration timeout) throws InterruptedException {
        return memory.flush(timeout);
    }

    /** A pass for one policy. */
    public Result evaluate(String policy, PlannerSettings settings) {
        return pass(Map.of(policy, settings)).get(policy);
    }

    /**
     * One pass over the given policies (name to settings), in their map order: one observation shared by all.
     * Migrations created for one policy count as in flight for the policies after it (the movement caps are
     * cluster-wide).
     */
    public Map<String, Result> pass(Map<String, PlannerSettings> policies) {
        Config c = config;
        Instant now = clock.instant();
        memory.restoreOnce();
        long t0 = System.nanoTime();
        models.forecasts().beginPass();
        Observer.Observation seen = observer.observe(now);
        long observed = System.nanoTime() - t0;
        act.known(seen.migrations(), now);
        Map<String, ReplicatedVolume> byName = seen.byName();
        List<VolumeMigration> migrations = new ArrayList<>(seen.migrations());
        Map<String, Result> out = new LinkedHashMap<>();
        Map<String, long[]> partial = new LinkedHashMap<>();
        Map<String, String> planned = new HashMap<>();
        for (Map.Entry<String, PlannerSettings> e : policies.entrySet()) {
            String policy = e.getKey();
            PlannerSettings settings = c.reactive() == null ? e.getValue() : c.reactive().settings(e.getValue());
            long t1 = System.nanoTime();
            List<ReplicatedVolume> volumes = seen.volumesOf(policy);
            ViewBuilder.Built built = views.build(now, settings, c.newVolumeWarmUp(), seen.nodes(), volumes,
                    migrations, seen.data());
            ClusterView view = c.reactive() == null ? built.view() : c.reactive().observe(built.view(), settings);
            if (c.recorder() != null) {
                c.recorder().record(new PassRecorder.Pass(policy, models.profiles().day(), settings, view));
            }
            // The planner demotes a volume after a whole cycle of the heat the profiles learn: a day, or local
            // mode's minute.
            Plan plan = new PlacementPlanner(settings, models.profiles().day()).plan(view);
            long t2 = System.nanoTime();
            metrics.plannerPass(Duration.ofNanos(t2 - t1));
            PlannerActions.Done done = act.apply(plan, new ReadPlacement(settings).decide(view, built.readSources()),
                    byName, settings.bandwidthPerMigration(), now);
            migrations.addAll(done.migrations());
            planned.put(policy, done.planned());
            plan.desired().values().forEach(memory::remember);
            views.publishInsights(act.insights(), now, settings, view, plan, volumes, built.podHeat());
            long t3 = System.nanoTime();
            partial.put(policy, new long[]{view.volumes().size(), view.nodes().size(), done.migrations().size(),
                    done.removed(), plan.deferred().size(), t2 - t1, t3 - t2});
        }
        Set<String> names = new HashSet<>(byName.keySet());
        act.insights().retain(names);
        models.forecasts().retain(names);
        memory.retain(names);
        long t4 = System.nanoTime();
        int parts = memory.persist(now);
        Duration persisting = Duration.ofNanos(System.nanoTime() - t4);
        partial.forEach((policy, p) -> out.put(policy, new Result((int) p[0], (int) p[1], (int) p[2], (int) p[3],
                (int) p[4], Duration.ofNanos(observed), Duration.ofNanos(p[5]), Duration.ofNanos(p[6]), persisting,
                parts, planned.get(policy))));
        return out;
    }

    @Override
    public void close() {
        act.close();
    }
}
