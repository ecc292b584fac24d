package dev.prescient.operator.reconcile;

import dev.prescient.api.v1alpha1.policy.MirrorPolicy;
import dev.prescient.api.v1alpha1.tier.StorageTier;
import dev.prescient.api.v1alpha1.volume.ReplicatedVolume;
import dev.prescient.operator.act.KubeEvents;
import dev.prescient.operator.loop.PolicyPasses;
import dev.prescient.operator.observe.ClusterReads;
import dev.prescient.operator.status.PolicyStatusAggregator;
import dev.prescient.operator.util.Units;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Validates a MirrorPolicy beyond its schema and reports the volumes that use it and when the planner last evaluated
 * it. The planner itself runs on its own (loop.PlannerDriver), not in this reconcile.
 */
@ControllerConfiguration(name = "mirrorpolicy")
public class MirrorPolicyReconciler implements Reconciler<MirrorPolicy> {

    private final KubeEvents events;
    private final PolicyPasses passes;
    private final boolean plannerEnabled;
    private final Clock clock;
    private final Duration interval;
    private final ClusterReads reads;

    @Inject
    public MirrorPolicyReconciler(KubeEvents events, PolicyPasses passes,
                                  @ConfigProperty(name = "prescient.planner.enabled") boolean plannerEnabled, Clock clock,
                                  @ConfigProperty(name = "prescient.node.interval") Duration interval,
                                  ClusterReads cache) {
        this.reads = cache;
        this.events = events;
        this.passes = passes;
        this.plannerEnabled = plannerEnabled;
        this.clock = clock;
        this.interval = interval;
    }

    @Override
    public List<EventSource<?, MirrorPolicy>> prepareEventSources(EventSourceContext<MirrorPolicy> context) {
        return SharedCache.share(reads, context);
    }

    @Override
    public UpdateControl<MirrorPolicy> reconcile(MirrorPolicy p, Context<MirrorPolicy> context) {
        String name = p.getMetadata().getName();
        Set<String> tiers = reads.list(StorageTier.class).stream().map(t -> t.getMetadata().getName())
                .collect(Collectors.toSet());
        List<String> volumes = reads.list(ReplicatedVolume.class).stream()
                .filter(v -> v.getSpec() != null && name.equals(v.getSpec().getPolicy()))
                .map(v -> v.getMetadata().getName()).toList();
        List<String> errors = PolicyStatusAggregator.validate(p.getSpec(), tiers);
        boolean wasValid = p.getStatus() == null || p.getStatus().getConditions() == null
                || p.getStatus().getConditions().stream().noneMatch(c -> c.getType().equals("Ready")
                && c.getStatus().name().equals("False"));
        if (!errors.isEmpty() && wasValid) {
            events.warning(p, "Invalid", String.join("; ", errors));
        }
        Instant evaluated = passes.lastEvaluated(name);
        // While the planner evaluates the policy, its status follows each evaluation.
        Duration next = errors.isEmpty() && plannerEnabled
                ? Units.duration(p.getSpec().getEvaluationInterval(), Duration.ofMinutes(1)) : interval;
        p.setStatus(PolicyStatusAggregator.aggregate(p.getStatus(), errors, volumes,
                evaluated == null ? null : evaluated.toString(),
                p.getMetadata().getGeneration() == null ? 0 : p.getMetadata().getGeneration(), clock.instant()));
        return UpdateControl.patchStatus(p).rescheduleAfter(next);
    }
}
