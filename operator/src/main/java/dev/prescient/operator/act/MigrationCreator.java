package dev.prescient.operator.act;

import dev.prescient.api.v1alpha1.migration.VolumeMigration;
import dev.prescient.operator.plan.ActionKind;
import dev.prescient.operator.plan.MigrationFactory;
import dev.prescient.operator.plan.MigrationNames;
import dev.prescient.operator.plan.PlannedAction;
import dev.prescient.operator.metrics.OperatorMetrics;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Creates the VolumeMigrations of one pass's decisions, several at once: a 100-volume evacuation wave written one
 * create at a time took 15 s on a loaded API server (75-150 ms per create). At most {@code concurrency} creates are
 * in flight. Names come from {@link MigrationNames}, so a retry of a decision, or a decision made again before the
 * informer shows its migration, meets 409 and is counted a duplicate, never created twice.
 *
 * <p>One write per migration: what was planned and why is in each VolumeMigration's spec.explanation, and the wave
 * as a whole is summed up once ({@link Wave#summary()}, in the policy's Evaluated Event). An Event per migration
 * doubled a wave's API writes (issue 19: 128 evacuations took 8.6 s to create).
 */
public final class MigrationCreator implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(MigrationCreator.class);

    /** Decisions not seen in the cache after this long are named afresh (the create failed, or was deleted). */
    static final Duration NAME_TTL = Duration.ofMinutes(10);

    private final KubernetesClient kube;
    private final OperatorMetrics metrics;
    private final MigrationNames names = new MigrationNames(NAME_TTL);
    private final ExecutorService pool;
    private final int concurrency;

    public MigrationCreator(KubernetesClient kube, OperatorMetrics metrics, int concurrency) {
        if (concurrency < 1) {
            throw new IllegalArgumentException("prescient.planner.create-concurrency must be at least 1, not "
                    + concurrency);
        }
        this.kube = kube;
        this.metrics = metrics;
        this.concurrency = concurrency;
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(concurrency, r -> {
            Thread t = new Thread(r, "migration-create-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Tells the names which migrations the cache shows now (their decisions need no name any more). */
    public void known(List<VolumeMigration> migrations, Instant now) {
        names.seen(migrations.stream().map(m -> m.getMetadata().getName()).toList(), now);
    }

    /**
     * What one pass created: the migrations with their actions (by name, in the order decided), how long the wave
     * took and its slowest create (the API server's latency under load, as the operator saw it).
     */
    public record Wave(Map<String, PlannedAction> created, List<VolumeMigration> migrations, int attempted,
                       Duration took, Duration slowest, int concurrency) {

        static final Wave NONE = new Wave(Map.of(), List.of(), 0, Duration.ZERO, Duration.ZERO, 0);

        /** For the policy's Evaluated Event: counts by action, then names, within an Event message's length. */
        public String summary() {
            if (created.isEmpty()) {
                return "";
            }
            Map<ActionKind, Integer> byKind = new TreeMap<>();
            created.values().forEach(a -> byKind.merge(a.kind(), 1, Integer::sum));
            StringBuilder out = new StringBuilder("planned ");
            byKind.forEach((k, n) -> out.append(n).append(' ').append(k).append(", "));
            out.setLength(out.length() - 2);
            out.append(": ");
            int listed = 0;
            for (Map.Entry<String, PlannedAction> e : created.entrySet()) {
                String one = e.getKey() + " (" + e.getValue().volume() + " " + e.getValue().fromNode() + "->"
                        + e.getValue().toNode() + ")";
                if (out.length() + one.length() > SUMMARY_CHARS) {
                    break;
                }
                out.append(listed == 0 ? "" : ", ").append(one);
                listed++;
            }
            if (listed < created.size()) {
                out.append(" and ").append(created.size() - listed).append(" more (kubectl get volumemigrations)");
            }
            return out.toString();
        }
    }

    /** An Event message is cut at 1024 characters (KubeEvents); the rest of the Evaluated text goes first. */
    static final int SUMMARY_CHARS = 800;

    /** Creates one VolumeMigration per action; returns how many were created (duplicates and failures are not). */
    public int create(List<PlannedAction> actions, long defaultBandwidth, Instant now) {
        return createWave(actions, defaultBandwidth, now).created().size();
    }

    /** Creates one VolumeMigration per action: those created (duplicates and failures are not), and the timing. */
    public Wave createWave(List<PlannedAction> actions, long defaultBandwidth, Instant now) {
        if (actions.isEmpty()) {
            return Wave.NONE;
        }
        long t0 = System.nanoTime();
        AtomicLong slowest = new AtomicLong();
        List<Future<VolumeMigration>> done = new ArrayList<>();
        for (PlannedAction a : actions) {
            long bandwidth = a.bandwidthBytesPerSecond() > 0 ? a.bandwidthBytesPerSecond() : defaultBandwidth;
            done.add(pool.submit(() -> {
                long s = System.nanoTime();
                try {
                    return create(a, bandwidth, now);
                } finally {
                    slowest.accumulateAndGet(System.nanoTime() - s, Math::max);
                }
            }));
        }
        Map<String, PlannedAction> created = new LinkedHashMap<>();
        List<VolumeMigration> migrations = new ArrayList<>();
        for (int i = 0; i < done.size(); i++) {
            try {
                VolumeMigration vm = done.get(i).get();
                if (vm != null) {
                    created.put(vm.getMetadata().getName(), actions.get(i));
                    migrations.add(vm);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("planner pass interrupted while creating migrations", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("creating a VolumeMigration failed", e.getCause());
            }
        }
        Wave w = new Wave(created, migrations, actions.size(), Duration.ofNanos(System.nanoTime() - t0),
                Duration.ofNanos(slowest.get()), concurrency);
        LOG.infof("%d of %d VolumeMigration(s) created in %d ms, %d at once, slowest create %d ms", created.size(),
                actions.size(), w.took().toMillis(), concurrency, w.slowest().toMillis());
        return w;
    }

    /** The created migration, or null (a duplicate, or a failure the next pass retries). */
    private VolumeMigration create(PlannedAction a, long bandwidth, Instant now) {
        String name = names.nameFor(a, now);
        if (names.wasCreated(a)) {
            // Created by an earlier pass and not in the cache yet: it lags (nothing to do), or the migration was
            // deleted meanwhile (a new name; its old one may still name operations on an agent).
            if (kube.resources(VolumeMigration.class).withName(name).get() != null) {
                metrics.decision(a.kind().name(), "duplicate");
                return null;
            }
            name = names.renew(a, now);
        }
        VolumeMigration vm = MigrationFactory.toMigration(a, bandwidth, name);
        try {
            kube.resource(vm).create();
            names.created(a);
            metrics.decision(a.kind().name(), "created");
            LOG.infof("VolumeMigration/%s: planned: %s", name, a.explanation());
            return vm;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                // This decision's migration exists already (made by an earlier pass the cache did not show yet).
                metrics.decision(a.kind().name(), "duplicate");
            } else {
                metrics.decision(a.kind().name(), "failed");
                LOG.warnf("VolumeMigration/%s: not created (next pass retries under the same name): %s",
                        vm.getMetadata().getName(), e.getMessage());
            }
            return null;
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
