package dev.prescient.operator.observe;

import dev.prescient.api.v1alpha1.migration.VolumeMigration;
import dev.prescient.api.v1alpha1.node.StorageNode;
import dev.prescient.api.v1alpha1.policy.MirrorPolicy;
import dev.prescient.api.v1alpha1.tier.StorageTier;
import dev.prescient.api.v1alpha1.volume.ReplicatedVolume;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.health.InformerHealthIndicator;
import io.javaoperatorsdk.operator.health.InformerWrappingEventSourceHealthIndicator;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one cache of every cluster-scoped kind the operator reads (StorageNodes, ReplicatedVolumes, VolumeMigrations,
 * StorageTiers, MirrorPolicies): the informer store of each kind's reconciler, which hands it over when its event
 * sources are prepared ({@link #register}). The planner, the node-agent lookup, the policy status and the metrics read
 * the same store the reconcilers are driven by, so each kind is listed and watched once, not once per reader. A
 * kind whose reconciler is not registered reads as empty, and {@link #synced} is false until every kind has listed.
 */
public final class ClusterCache implements ClusterReads {

    /** The kinds a planner pass reads; it waits until all of them have listed. */
    static final List<Class<? extends HasMetadata>> KINDS = List.of(StorageNode.class, ReplicatedVolume.class,
            VolumeMigration.class, StorageTier.class, MirrorPolicy.class);

    private final Map<Class<?>, IndexerResourceCache<?>> stores = new ConcurrentHashMap<>();

    /** Makes a reconciler's primary informer store the one every reader of {@code type} uses. */
    public <T extends HasMetadata> void register(Class<T> type, IndexerResourceCache<T> store) {
        stores.put(type, store);
    }

    @SuppressWarnings("unchecked")
    private <T extends HasMetadata> IndexerResourceCache<T> store(Class<T> type) {
        return (IndexerResourceCache<T>) stores.get(type);
    }

    @Override
    public <T extends HasMetadata> List<T> list(Class<T> type) {
        IndexerResourceCache<T> s = store(type);
        return s == null ? List.of() : s.list().toList();
    }

    @Override
    public <T extends HasMetadata> T get(Class<T> type, String name) {
        IndexerResourceCache<T> s = store(type);
        // Cluster-scoped: the name alone is the key.
        return s == null ? null : s.get(new ResourceID(name)).orElse(null);
    }

    @Override
    public boolean synced() {
        for (Class<?> kind : KINDS) {
            IndexerResourceCache<?> s = stores.get(kind);
            if (s == null) {
                return false;
            }
            if (s instanceof InformerWrappingEventSourceHealthIndicator<?> h && (h.informerHealthIndicators().isEmpty()
                    || !h.informerHealthIndicators().values().stream().allMatch(InformerHealthIndicator::hasSynced))) {
                return false;
            }
        }
        return true;
    }
}
