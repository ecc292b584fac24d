package dev.prescient.operator.reconcile;

import dev.prescient.api.v1alpha1.policy.MirrorPolicy;
import dev.prescient.api.v1alpha1.tier.StorageTier;
import dev.prescient.api.v1alpha1.volume.ReplicatedVolume;
import dev.prescient.operator.plan.PlannerLoop;
import dev.prescient.operator.plan.PolicySettingsMapper;
import dev.prescient.operator.status.PolicyStatusAggregator;
import dev.prescient.operator.util.Units;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** Validates a MirrorPolicy beyond its schema and reports the volumes that use it. */
@ControllerConfiguration(name = "mirrorpolicy")
public class MirrorPolicyReconciler implements Reconciler<MirrorPolicy> {

    private final KubeEvents events;
    private final PlannerLoop planner;
    private final boolean plannerEnabled;
    private final Clock clock;
    private final Duration interval;

    @Inject
    public MirrorPolicyReconciler(KubeEvents events, PlannerLoop planner,
                                  @ConfigProperty(name = "prescient.planner.enabled") boolean plannerEnabled, Clock clock,
                                  @ConfigProperty(name = "prescient.node.interval") Duration interval) {
        this.events = events;
        this.planner = planner;
        this.plannerEnabled = plannerEnabled;
        this.clock = clock;
        this.interval = interval;
    }

    @Override
    public UpdateControl<MirrorPolicy> reconcile(MirrorPolicy p, Context<MirrorPolicy> context) {
        String name = p.getMetadata().getName();
        Set<String> tiers = context.getClient().resources(StorageTier.class).list().getItems().stream()
                .map(t -> t.getMetadata().getName()).collect(Collectors.toSet());
        List<String> volumes = context.getClient().resources(ReplicatedVolume.class).list().getItems().stream()
                .filter(v -> v.getSpec() != null && name.equals(v.getSpec().getPolicy()))
                .map(v -> v.getMetadata().getName()).toList();
        List<String> errors = PolicyStatusAggregator.validate(p.getSpec(), tiers);
        boolean wasValid = p.getStatus() == null || p.getStatus().getConditions() == null
                || p.getStatus().getConditions().stream().noneMatch(c -> c.getType().equals("Ready")
                && c.getStatus().name().equals("False"));
        if (!errors.isEmpty() && wasValid) {
            events.warning(p, "Invalid", String.join("; ", errors));
        }
        String evaluated = null;
        Duration next = interval;
        if (errors.isEmpty() && plannerEnabled) {
            // The planner runs here, per policy and at its interval, so only the leader ever plans.
            PlannerLoop.Result r = planner.evaluate(name, PolicySettingsMapper.map(p.getSpec()));
            evaluated = clock.instant().toString();
            next = Units.duration(p.getSpec().getEvaluationInterval(), Duration.ofMinutes(1));
            if (r.created() + r.removed() > 0) {
                events.normal(p, "Evaluated", r.volumes() + " volume(s): " + r.created() + " migration(s) created, "
                        + r.removed() + " replica(s) removed, " + r.deferred() + " deferred");
            }
        }
        p.setStatus(PolicyStatusAggregator.aggregate(p.getStatus(), errors, volumes, evaluated,
                p.getMetadata().getGeneration() == null ? 0 : p.getMetadata().getGeneration(), clock.instant()));
        return UpdateControl.patchStatus(p).rescheduleAfter(next);
    }
}
