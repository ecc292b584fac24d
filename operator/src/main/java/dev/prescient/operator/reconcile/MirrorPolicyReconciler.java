package dev.prescient.operator.reconcile;

import dev.prescient.api.v1alpha1.policy.MirrorPolicy;
import dev.prescient.api.v1alpha1.tier.StorageTier;
import dev.prescient.api.v1alpha1.volume.ReplicatedVolume;
import dev.prescient.operator.observe.ClusterReads;
import dev.prescient.operator.plan.PlannerLoop;
import dev.prescient.operator.plan.PolicySettingsMapper;
import dev.prescient.operator.status.PolicyStatusAggregator;
import dev.prescient.operator.util.Units;
import dev.prescient.api.v1alpha1.node.StorageNode;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
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

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(MirrorPolicyReconciler.class);

    private final KubeEvents events;
    private final PlannerLoop planner;
    private final boolean plannerEnabled;
    private final Clock clock;
    private final Duration interval;
    private final ClusterReads reads;

    @Inject
    public MirrorPolicyReconciler(KubeEvents events, PlannerLoop planner,
                                  @ConfigProperty(name = "prescient.planner.enabled") boolean plannerEnabled, Clock clock,
                                  @ConfigProperty(name = "prescient.node.interval") Duration interval,
                                  ClusterReads cache) {
        this.reads = cache;
        this.events = events;
        this.planner = planner;
        this.plannerEnabled = plannerEnabled;
        this.clock = clock;
        this.interval = interval;
    }

    /**
     * A node's failure alarm turning on or off is news every policy acts on (evacuation, or its roll-back): it
     * triggers a pass at once instead of at the policy's next interval. Other StorageNode changes do not.
     */
    @Override
    public List<EventSource<?, MirrorPolicy>> prepareEventSources(EventSourceContext<MirrorPolicy> context) {
        var policies = context.getPrimaryCache();
        InformerEventSourceConfiguration<StorageNode> alerts = InformerEventSourceConfiguration
                .from(StorageNode.class, MirrorPolicy.class)
                .withName("storagenode-alarms")
                .withSecondaryToPrimaryMapper(n -> policies.list().map(ResourceID::fromResource)
                        .collect(Collectors.toSet()))
                .withOnAddFilter(n -> false)
                .withOnUpdateFilter((newer, older) -> alarm(newer) != alarm(older))
                .withOnDeleteFilter((n, unknown) -> false)
                .build();
        return List.of(new InformerEventSource<>(alerts, context));
    }

    static boolean alarm(StorageNode n) {
        return n != null && n.getStatus() != null && n.getStatus().getConditions() != null
                && n.getStatus().getConditions().stream().anyMatch(c -> c.getType().equals("EvacuationRecommended")
                && c.getStatus().name().equals("True"));
    }

    @Override
    public UpdateControl<MirrorPolicy> reconcile(MirrorPolicy p, Context<MirrorPolicy> context) {
        long start = System.nanoTime();
        String name = p.getMetadata().getName();
        // A handful of tiers, listed (a tier just created must count); the volumes come from the informer cache.
        Set<String> tiers = context.getClient().resources(StorageTier.class).list().getItems().stream()
                .map(t -> t.getMetadata().getName()).collect(Collectors.toSet());
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
        String evaluated = null;
        Duration next = interval;
        if (errors.isEmpty() && plannerEnabled) {
            // The planner runs here, per policy and at its interval, so only the leader ever plans.
            PlannerLoop.Result r = planner.evaluate(name, PolicySettingsMapper.map(p.getSpec()));
            evaluated = clock.instant().toString();
            next = Units.duration(p.getSpec().getEvaluationInterval(), Duration.ofMinutes(1));
            LOG.infof("planner pass %s: %d volumes, %d nodes; observe %d ms, plan %d ms, act %d ms, state %d ms "
                            + "(%d part(s) due), whole reconcile %d ms; %d created, %d removed, %d deferred", name,
                    r.volumes(), r.nodes(), r.telemetry().toMillis(), r.planning().toMillis(), r.acting().toMillis(),
                    r.persisting().toMillis(), r.stateParts(), (System.nanoTime() - start) / 1_000_000, r.created(),
                    r.removed(), r.deferred());
            if (r.created() + r.removed() > 0) {
                events.normal(p, "Evaluated", r.volumes() + " volume(s): " + r.created() + " migration(s) created, "
                        + r.removed() + " replica(s) removed, " + r.deferred() + " deferred"
                        + (r.planned().isEmpty() ? "" : "; " + r.planned()));
            }
        }
        p.setStatus(PolicyStatusAggregator.aggregate(p.getStatus(), errors, volumes, evaluated,
                p.getMetadata().getGeneration() == null ? 0 : p.getMetadata().getGeneration(), clock.instant()));
        return UpdateControl.patchStatus(p).rescheduleAfter(next);
    }
}
