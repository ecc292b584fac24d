package dev.prescient.operator.reconcile;

import dev.prescient.api.v1alpha1.node.StorageNode;
import dev.prescient.api.v1alpha1.node.StorageNodeStatus;
import dev.prescient.api.v1alpha1.tier.StorageTier;
import dev.prescient.operator.status.TierStatusAggregator;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import dev.prescient.operator.observe.ClusterReads;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Validates a StorageTier and totals its capacity and use from the StorageNodes (read from the one cache). */
@ControllerConfiguration(name = "storagetier")
public class StorageTierReconciler implements Reconciler<StorageTier> {

    private final Clock clock;
    private final Duration interval;
    private final ClusterReads reads;

    @Inject
    public StorageTierReconciler(Clock clock, @ConfigProperty(name = "prescient.node.interval") Duration interval,
                                 ClusterReads reads) {
        this.reads = reads;
        this.clock = clock;
        this.interval = interval;
    }

    @Override
    public java.util.List<EventSource<?, StorageTier>> prepareEventSources(EventSourceContext<StorageTier> context) {
        return SharedCache.share(reads, context);
    }

    @Override
    public UpdateControl<StorageTier> reconcile(StorageTier tier, Context<StorageTier> context) {
        Map<String, StorageNodeStatus> nodes = new HashMap<>();
        for (StorageNode n : reads.list(StorageNode.class)) {
            nodes.put(n.getMetadata().getName(), n.getStatus());
        }
        List<String> errors = new ArrayList<>();
        if (tier.getSpec().getPath() == null || !tier.getSpec().getPath().startsWith("/")) {
            errors.add("path must be absolute");
        }
        int reserve = tier.getSpec().getReservePercent() == null ? 10 : tier.getSpec().getReservePercent();
        tier.setStatus(TierStatusAggregator.aggregate(tier.getStatus(), tier.getMetadata().getName(), reserve, nodes,
                errors, tier.getMetadata().getGeneration() == null ? 0 : tier.getMetadata().getGeneration(),
                clock.instant()));
        return UpdateControl.patchStatus(tier).rescheduleAfter(interval);
    }
}
