package dev.prescient.operator.reconcile;

import dev.prescient.api.v1alpha1.migration.MigrationPhase;
import dev.prescient.api.v1alpha1.migration.VolumeMigration;
import dev.prescient.api.v1alpha1.migration.VolumeMigrationStatus;
import dev.prescient.operator.metrics.OperatorMetrics;
import dev.prescient.operator.migration.MigrationExecutor;
import dev.prescient.operator.status.MigrationStatusAggregator;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import jakarta.inject.Inject;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Thin: one executor step per reconcile, status through the aggregator, an Event per phase change or failure.
 * The phase is written to status after every step, so a new leader resumes where this one stopped.
 */
@ControllerConfiguration(name = "volumemigration")
public class VolumeMigrationReconciler implements Reconciler<VolumeMigration> {

    private final MigrationExecutor executor;
    private final KubeEvents events;
    private final OperatorMetrics metrics;
    private final Clock clock;
    private final Map<String, String> lastErrors = new ConcurrentHashMap<>();

    @Inject
    public VolumeMigrationReconciler(MigrationExecutor executor, KubeEvents events, OperatorMetrics metrics,
                                     Clock clock) {
        this.executor = executor;
        this.events = events;
        this.metrics = metrics;
        this.clock = clock;
    }

    @Override
    public UpdateControl<VolumeMigration> reconcile(VolumeMigration vm, Context<VolumeMigration> context) {
        String name = vm.getMetadata().getName();
        VolumeMigrationStatus before = vm.getStatus();
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
        UpdateControl<VolumeMigration> u = UpdateControl.patchStatus(vm);
        if (step.requeueAfter() != null) {
            // Status-only patches do not come back as events; rescheduling drives the next step.
            u.rescheduleAfter(step.requeueAfter().isZero() ? Duration.ofMillis(1) : step.requeueAfter());
        }
        return u;
    }
}
