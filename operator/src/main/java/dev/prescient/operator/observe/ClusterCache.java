package dev.prescient.operator.observe;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Informer caches of the cluster-scoped resources that the planner, the policy status and the node-agent lookup read
 * every pass (StorageNodes, ReplicatedVolumes, VolumeMigrations, StorageTiers): one watch each instead of a full
 * list per pass and a GET per agent call. An informer starts on first use and waits for its initial list. The
 * caches trail the API server by a watch event; the planner's passes are seconds apart.
 */
public final class ClusterCache implements ClusterReads, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ClusterCache.class);

    static final long LIST_PAGE = 500;

    private final KubernetesClient kube;
    private final Map<Class<?>, SharedIndexInformer<?>> informers = new ConcurrentHashMap<>();

    public ClusterCache(KubernetesClient kube) {
        this.kube = kube;
    }

    @SuppressWarnings("unchecked")
    private <T extends HasMetadata> SharedIndexInformer<T> informer(Class<T> type) {
        SharedIndexInformer<?> i = informers.get(type);
        if (i == null) {
            synchronized (this) {
                i = informers.get(type);
                if (i == null) {
                    long t = System.nanoTime();
                    // Listed in pages: one list of 10,000 volumes can outlast the client's request timeout.
                    // Without managedFields (LeanItemStore): the largest part of the cached objects, never read here.
                    SharedIndexInformer<T> informer = kube.resources(type).withLimit(LIST_PAGE).runnableInformer(0);
                    informer.itemStore(new LeanItemStore<>());
                    informer.run();
                    i = informer;
                    informers.put(type, i);
                    LOG.infof("%s informer synced in %d ms: %d cached", type.getSimpleName(),
                            (System.nanoTime() - t) / 1_000_000, i.getStore().list().size());
                }
            }
        }
        return (SharedIndexInformer<T>) i;
    }

    @Override
    public <T extends HasMetadata> List<T> list(Class<T> type) {
        return informer(type).getStore().list();
    }

    @Override
    public <T extends HasMetadata> T get(Class<T> type, String name) {
        // Cluster-scoped: the store's key is the name.
        return informer(type).getStore().getByKey(name);
    }

    @Override
    public void close() {
        informers.values().forEach(SharedIndexInformer::stop);
        informers.clear();
    }
}
