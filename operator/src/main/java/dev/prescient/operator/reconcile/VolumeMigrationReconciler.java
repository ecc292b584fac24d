package dev.prescient.operator.reconcile;

import dev.prescient.operator.act.KubeEvents;
import dev.prescient.operator.observe.LeanItemStore;
import dev.prescient.api.v1alpha1.migration.MigrationPhase;
import dev.prescient.api.v1alpha1.migration.VolumeMigration;
import dev.prescient.api.v1alpha1.migration.VolumeMigrationStatus;
import dev.prescient.operator.metrics.OperatorMetrics;
import dev.prescient.operator.migration.MigrationExecutor;
import dev.prescient.operator.migration.MigrationStateMachine;
import dev.prescient.operator.status.MigrationStatusAggregator;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import dev.prescient.operator.observe.ClusterReads;
import jakarta.inject.Inject;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Thin: one executor step per reconcile, status through the aggregator, an Event per phase change or failure.
 * The phase is written to status after every step, so a new leader resumes where this one stopped.
 */
// Listed in pages when the informer starts: one list of 10,000 objects outlasts the client's request timeout on a
// loaded API server.
@ControllerConfiguration(name = "volumemigration", informer = @Informer(informerListLimit = 500,
        itemStore = LeanItemStore.class))
public class VolumeMigrationReconciler implements Reconciler<VolumeMigration> {

    private final MigrationExecutor executor;
    private final KubeEvents events;
    private final OperatorMetrics metrics;
    private final Clock clock;
    private final ClusterReads reads;
    private final Map<String, String> lastErrors = new ConcurrentHashMap<>();
    /** The status this operator last wrote per migration, to see through an informer cache that lags behind it. */
    private final Map<String, VolumeMigrationStatus> lastWritten = new ConcurrentHashMap<>();
    private final MigrationStateMachine machine = new MigrationStateMachine(Integer.MAX_VALUE);

    public VolumeMigrationReconciler(MigrationExecutor executor, KubeEvents events, OperatorMetrics metrics,
                                     Clock clock) {
        this(executor, events, metrics, clock, null);
    }

    /** @param reads the operator's one cache, which this reconciler's VolumeMigration informer becomes part of */
    @Inject
    public VolumeMigrationReconciler(MigrationExecutor executor, KubeEvents events, OperatorMetrics metrics,
                                     Clock clock, ClusterReads reads) {
        this.reads = reads;
        this.executor = executor;
        this.events = events;
        this.metrics = metrics;
        this.clock = clock;
    }

    /**
     * The status to continue from: the one read, unless this operator wrote a later one that the read does not
     * show yet (the informer cache lags a status patch by a few milliseconds, and the next step is requeued at
     * once). Continuing from the stale one would re-run a finished phase, or walk a migration that already
     * decided to roll back forward again. After a restart nothing was written, and the read is the truth.
     * <p>
     * Still needed with one cache per kind (issue 17): the stale read is this reconciler's own informer, not a
     * second cache. The framework (JOSDK 5.2 TemporaryResourceCache) keeps the object its patch returned, but drops
     * it on the next watch event of that object whatever version the event carries (versions are compared only with
     * parseResourceVersions, which quarkus-operator-sdk does not expose): patch to v6, the event of v5 arrives late,
     * and the next step reads v5.
     */
    VolumeMigrationStatus fresher(VolumeMigrationStatus read, VolumeMigrationStatus written) {
        if (written == null || written.getPhase() == null) {
            return read;
        }
        if (read == null || read.getPhase() == null) {
            return written;
        }
        boolean readSwitched = read.getCheckpoint() != null && Boolean.TRUE.equals(read.getCheckpoint().getSwitched());
        boolean writtenSwitched = written.getCheckpoint() != null
                && Boolean.TRUE.equals(written.getCheckpoint().getSwitched());
        if (read.getPhase() == written.getPhase()) {
            return writtenSwitched && !readSwitched ? written : read;
        }
        return machine.reachable(read.getPhase(), written.getPhase()) ? written : read;
    }

    @Override
    public java.util.List<EventSource<?, VolumeMigration>> prepareEventSources(EventSourceContext<VolumeMigration> context) {
        return SharedCache.share(reads, context);
    }

    @Override
    public UpdateControl<VolumeMigration> reconcile(VolumeMigration vm, Context<VolumeMigration> context) {
        String name = vm.getMetadata().getName();
        // By uid too: a migration deleted and made again under the same name starts from nothing.
        String key = name + "/" + vm.getMetadata().getUid();
        VolumeMigrationStatus before = fresher(vm.getStatus(), lastWritten.get(key));
        MigrationPhase was = before == null || before.getPhase() == null ? null : before.getPhase();
        if (was != null && was.terminal()) {
            return UpdateControl.noUpdate();
        }
        String reason = vm.getSpec().getReason() == null ? "Manual" : vm.getSpec().getReason().name();
        if (was == null) {
            metrics.migrationPhase(MigrationPhase.Pending.name(), reason);
        }
        MigrationExecutor.Step step = executor.step(name, vm.getSpec(), before);
        for (MigrationExecutor.Event e : step.events()) {
            if (e.warning()) {
                lastErrors.put(name, e.message());
                events.warning(vm, e.reason(), e.message());
            } else {
                events.normal(vm, e.reason(), e.message());
            }
        }
        VolumeMigrationStatus s = step.status();
        if (s.getPhase() != was && s.getPhase() != MigrationPhase.Pending) {
            metrics.migrationPhase(s.getPhase().name(), reason);
            if (s.getPhase() == MigrationPhase.Succeeded && s.getBytesMoved() != null) {
                metrics.bytesMoved(reason, s.getBytesMoved());
            }
            if (s.getPhase() == MigrationPhase.CleaningUp && s.getPauseMillis() != null) {
                metrics.pause(s.getPauseMillis());
            }
        }
        String err = s.getPhase().terminal() ? lastErrors.remove(name) : lastErrors.get(name);
        MigrationStatusAggregator.aggregate(s, vm.getMetadata().getGeneration() == null ? 0
                : vm.getMetadata().getGeneration(), clock.instant(), err, vm.getSpec().getExplanation());
        vm.setStatus(s);
        if (s.getPhase().terminal()) {
            lastWritten.remove(key);
        } else {
            lastWritten.put(key, s);
        }
        UpdateControl<VolumeMigration> u = UpdateControl.patchStatus(vm);
        if (step.requeueAfter() != null) {
            // Status-only patches do not come back as events; rescheduling drives the next step.
            u.rescheduleAfter(step.requeueAfter().isZero() ? Duration.ofMillis(1) : step.requeueAfter());
        }
        return u;
    }
}
