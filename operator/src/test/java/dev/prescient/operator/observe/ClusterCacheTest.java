package dev.prescient.operator.observe;

import dev.prescient.api.v1alpha1.migration.VolumeMigration;
import dev.prescient.api.v1alpha1.node.StorageNode;
import dev.prescient.api.v1alpha1.policy.MirrorPolicy;
import dev.prescient.api.v1alpha1.tier.StorageTier;
import dev.prescient.api.v1alpha1.volume.ReplicatedVolume;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.javaoperatorsdk.operator.health.InformerHealthIndicator;
import io.javaoperatorsdk.operator.health.InformerWrappingEventSourceHealthIndicator;
import io.javaoperatorsdk.operator.health.Status;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The one cache reads the reconcilers' own informer stores, and is synced only when every kind has listed. */
class ClusterCacheTest {

    /** A reconciler's primary store as the framework hands it over: its objects and whether its informer listed. */
    static final class Store<T extends HasMetadata> implements IndexerResourceCache<T>,
            InformerWrappingEventSourceHealthIndicator<T> {
        final List<T> items;
        boolean synced;

        Store(List<T> items, boolean synced) {
            this.items = items;
            this.synced = synced;
        }

        @Override
        public Optional<T> get(ResourceID id) {
            return items.stream().filter(i -> i.getMetadata().getName().equals(id.getName())).findFirst();
        }

        @Override
        public Stream<ResourceID> keys() {
            return items.stream().map(ResourceID::fromResource);
        }

        @Override
        public Stream<T> list(Predicate<T> p) {
            return items.stream().filter(p);
        }

        @Override
        public Stream<T> list(String namespace, Predicate<T> p) {
            return list(p);
        }

        @Override
        public List<T> byIndex(String index, String key) {
            return List.of();
        }

        @Override
        public void addIndexers(Map<String, Function<T, List<String>>> indexers) {
        }

        @Override
        public Map<String, InformerHealthIndicator> informerHealthIndicators() {
            return Map.of("cluster", new InformerHealthIndicator() {
                @Override
                public boolean hasSynced() {
                    return synced;
                }

                @Override
                public boolean isWatching() {
                    return true;
                }

                @Override
                public boolean isRunning() {
                    return true;
                }

                @Override
                public Status getStatus() {
                    return synced ? Status.HEALTHY : Status.UNHEALTHY;
                }

                @Override
                public String getTargetNamespace() {
                    return null;
                }
            });
        }
    }

    static <T extends HasMetadata> T named(T o, String name) {
        o.setMetadata(new ObjectMetaBuilder().withName(name).build());
        return o;
    }

    @Test
    void readsTheRegisteredStoresAndIsSyncedOnlyWhenEveryKindListed() {
        ClusterCache cache = new ClusterCache();
        assertThat(cache.list(StorageNode.class)).as("no reconciler registered yet").isEmpty();
        assertThat(cache.get(StorageNode.class, "n1")).isNull();
        assertThat(cache.synced()).isFalse();

        Store<StorageNode> nodes = new Store<>(List.of(named(new StorageNode(), "n1"), named(new StorageNode(), "n2")),
                true);
        Store<ReplicatedVolume> volumes = new Store<>(List.of(named(new ReplicatedVolume(), "pv-1")), false);
        cache.register(StorageNode.class, nodes);
        cache.register(ReplicatedVolume.class, volumes);
        cache.register(VolumeMigration.class, new Store<>(List.of(), true));
        cache.register(StorageTier.class, new Store<>(List.of(named(new StorageTier(), "ssd")), true));
        assertThat(cache.list(StorageNode.class)).extracting(n -> n.getMetadata().getName())
                .containsExactly("n1", "n2");
        assertThat(cache.get(StorageNode.class, "n2")).isSameAs(nodes.items.get(1));
        assertThat(cache.get(ReplicatedVolume.class, "pv-9")).isNull();
        assertThat(cache.synced()).as("MirrorPolicy not registered").isFalse();

        cache.register(MirrorPolicy.class, new Store<>(List.of(), true));
        assertThat(cache.synced()).as("the volumes' informer has not listed").isFalse();
        volumes.synced = true;
        assertThat(cache.synced()).isTrue();
    }
}
