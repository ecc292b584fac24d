package dev.prescient.operator.loop;

import dev.prescient.api.v1alpha1.node.StorageNode;
import dev.prescient.api.v1alpha1.policy.MirrorPolicy;
import dev.prescient.api.v1alpha1.tier.StorageTier;
import dev.prescient.operator.act.PlannerActions;
import dev.prescient.operator.observe.ClusterReads;
import dev.prescient.operator.plan.PlannerSettings;
import dev.prescient.operator.plan.PolicySettingsMapper;
import dev.prescient.operator.status.PolicyStatusAggregator;
import dev.prescient.operator.util.Units;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Runs the planner on its own thread, on the leader only: every tick it looks at the MirrorPolicies in the cache and
 * makes one pass ({@link PlannerLoop#pass}) over the valid ones whose evaluation interval is up. A node's failure
 * alarm turning on or off (the StorageNode condition EvacuationRecommended) makes every valid policy due at once:
 * evacuation, or its roll-back, does not wait for the interval. Invalid policies are left to the MirrorPolicy
 * reconciler, which reports why.
 */
public final class PlannerDriver implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(PlannerDriver.class);

    private final PlannerLoop loop;
    private final ClusterReads reads;
    private final PlannerActions act;
    private final PolicyPasses passes;
    private final Clock clock;
    private final Map<String, Instant> due = new HashMap<>();
    private Set<String> alarms;
    private volatile boolean leading;
    private ScheduledExecutorService timer;

    public PlannerDriver(PlannerLoop loop, ClusterReads reads, PlannerActions act, PolicyPasses passes, Clock clock) {
        this.loop = loop;
        this.reads = reads;
        this.act = act;
        this.passes = passes;
        this.clock = clock;
    }

    public PolicyPasses passes() {
        return passes;
    }

    /** Starts ticking every {@code tick}; passes happen once {@link #lead} was called. */
    public synchronized void start(Duration tick) {
        if (tick == null || tick.toMillis() < 1) {
            throw new IllegalArgumentException("prescient.planner.tick must be at least 1ms, not " + tick);
        }
        if (timer != null) {
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "planner");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::tickLogged, tick.toMillis(), tick.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** This operator leads (or there is no election): it may plan. */
    public void lead() {
        leading = true;
    }

    private void tickLogged() {
        try {
            tick();
        } catch (RuntimeException e) {
            // The next tick tries again; a pass that throws must not end the schedule.
            LOG.errorf(e, "planner pass failed");
        }
    }

    /** One look: a pass over the policies that are due, if any. Returns the results by policy (empty: none due). */
    public synchronized Map<String, PlannerLoop.Result> tick() {
        if (!leading || !reads.synced()) {
            return Map.of();
        }
        Instant now = clock.instant();
        Set<String> tiers = reads.list(StorageTier.class).stream().map(t -> t.getMetadata().getName())
                .collect(Collectors.toSet());
        Set<String> alarmed = reads.list(StorageNode.class).stream().filter(PlannerDriver::alarm)
                .map(n -> n.getMetadata().getName()).collect(Collectors.toCollection(TreeSet::new));
        boolean alarmChanged = alarms != null && !alarms.equals(alarmed);
        alarms = alarmed;
        Map<String, MirrorPolicy> policies = new LinkedHashMap<>();
        Map<String, PlannerSettings> settings = new LinkedHashMap<>();
        List<MirrorPolicy> all = reads.list(MirrorPolicy.class);
        for (MirrorPolicy p : all) {
            String name = p.getMetadata().getName();
            if (p.getSpec() == null || !PolicyStatusAggregator.validate(p.getSpec(), tiers).isEmpty()) {
                continue;
            }
            Instant next = due.get(name);
            if (alarmChanged || next == null || !now.isBefore(next)) {
                policies.put(name, p);
                settings.put(name, PolicySettingsMapper.map(p.getSpec()));
            }
        }
        Set<String> present = all.stream().map(p -> p.getMetadata().getName()).collect(Collectors.toSet());
        due.keySet().retainAll(present);
        passes.retain(present);
        if (policies.isEmpty()) {
            return Map.of();
        }
        if (alarmChanged) {
            LOG.infof("failure alarms now on %s: every policy evaluated at once", alarmed);
        }
        long start = System.nanoTime();
        Map<String, PlannerLoop.Result> results = loop.pass(settings);
        long took = (System.nanoTime() - start) / 1_000_000;
        Instant done = clock.instant();
        results.forEach((name, r) -> {
            MirrorPolicy p = policies.get(name);
            // The interval counts from the end of the pass, as between two reconciles before: a pass slower than
            // the interval does not run back to back with the next one.
            due.put(name, done.plus(Units.duration(p.getSpec().getEvaluationInterval(), Duration.ofMinutes(1))));
            passes.evaluated(name, done);
            LOG.infof("planner pass %s: %d volumes, %d nodes; observe %d ms, plan %d ms, act %d ms, state %d ms "
                            + "(%d part(s) due), whole pass %d ms; %d created, %d removed, %d deferred", name,
                    r.volumes(), r.nodes(), r.telemetry().toMillis(), r.planning().toMillis(), r.acting().toMillis(),
                    r.persisting().toMillis(), r.stateParts(), took, r.created(), r.removed(), r.deferred());
            act.evaluated(p, r.volumes(), r.created(), r.removed(), r.deferred(), r.planned());
        });
        return results;
    }

    static boolean alarm(StorageNode n) {
        return n != null && n.getStatus() != null && n.getStatus().getConditions() != null
                && n.getStatus().getConditions().stream().anyMatch(c -> c.getType().equals("EvacuationRecommended")
                && c.getStatus().name().equals("True"));
    }

    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
        loop.close();
    }
}
