package dev.prescient.operator.reconcile;

import dev.prescient.operator.act.KubeEvents;
import dev.prescient.operator.observe.LeanItemStore;
import dev.prescient.api.v1alpha1.node.StorageNode;
import dev.prescient.api.v1alpha1.volume.ReplicatedVolume;
import dev.prescient.operator.agent.ReplicaInventory;
import dev.prescient.operator.observe.ClusterReads;
import dev.prescient.operator.plan.VolumeInsights;
import dev.prescient.operator.status.VolumeStatusAggregator;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Clock;
import java.time.Duration;

/**
 * Reports a volume's actual replicas and the planner's numbers for it. The replicas come from the shared
 * {@link ReplicaInventory} (one ListReplicas per node per sweep, reused by every volume's reconcile while it is
 * younger than the node interval), the scores and forecasts from {@link VolumeInsights}; the status itself is
 * computed by {@link VolumeStatusAggregator}.
 */
// Listed in pages when the informer starts: one list of 10,000 objects outlasts the client's request timeout on a
// loaded API server.
@ControllerConfiguration(name = "replicatedvolume", informer = @Informer(informerListLimit = 500,
        itemStore = LeanItemStore.class))
public class ReplicatedVolumeReconciler implements Reconciler<ReplicatedVolume> {

    private final ReplicaInventory inventory;
    private final VolumeInsights insights;
    private final KubeEvents events;
    private final Clock clock;
    private final Duration interval;
    private final ClusterReads reads;

    @Inject
    public ReplicatedVolumeReconciler(ReplicaInventory inventory, VolumeInsights insights, KubeEvents events,
                                      Clock clock, @ConfigProperty(name = "prescient.node.interval") Duration interval,
                                      ClusterReads cache) {
        this.reads = cache;
        this.inventory = inventory;
        this.insights = insights;
        this.events = events;
        this.clock = clock;
        this.interval = interval;
    }

    @Override
    public java.util.List<EventSource<?, ReplicatedVolume>> prepareEventSources(EventSourceContext<ReplicatedVolume> context) {
        return SharedCache.share(reads, context);
    }

    @Override
    public UpdateControl<ReplicatedVolume> reconcile(ReplicatedVolume v, Context<ReplicatedVolume> context) {
        String name = v.getMetadata().getName();
        ReplicaInventory.Snapshot replicas = inventory.current(() -> reads.list(StorageNode.class).stream()
                .map(n -> n.getMetadata().getName()).toList(), interval);
        var prev = v.getStatus();
        int desired = v.getSpec().getReplicas() == null ? 1 : v.getSpec().getReplicas();
        var next = VolumeStatusAggregator.aggregate(prev, v.getSpec().getCapacityBytes(), desired,
                replicas.replicas(name), replicas.unreachable(), insights.get(name), insights.lastRemoval(name),
                insights.lastReadSwitch(name), v.getMetadata().getGeneration() == null ? 0 : v.getMetadata().getGeneration(), clock.instant());
        if (prev != null && prev.getPhase() != next.getPhase() && next.getPhase() != null) {
            events.normal(v, "Phase" + next.getPhase(), "replicas " + next.getReplicaSummary());
        }
        if (VolumeStatusAggregator.sameApartFromTimes(prev, next)) {
            // Nothing new but the time the numbers were computed: no write (see sameApartFromTimes).
            return UpdateControl.<ReplicatedVolume>noUpdate().rescheduleAfter(interval);
        }
        v.setStatus(next);
        return UpdateControl.patchStatus(v).rescheduleAfter(interval);
    }
}
