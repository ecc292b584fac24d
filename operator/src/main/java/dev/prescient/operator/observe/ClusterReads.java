package dev.prescient.operator.observe;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.util.List;

/**
 * How the observe side reads the cluster-scoped resources: from informer caches in the operator
 * ({@link ClusterCache}), or by listing each time ({@link #listing}, what tests against a mock server use so that
 * what they just wrote is what the next pass sees).
 */
public interface ClusterReads {

    <T extends HasMetadata> List<T> list(Class<T> type);

    /** The resource of that name, or null. */
    <T extends HasMetadata> T get(Class<T> type, String name);

    /** Whether every kind read here is there in full (an informer cache that has not listed yet is not). */
    default boolean synced() {
        return true;
    }

    static ClusterReads listing(KubernetesClient kube) {
        return new ClusterReads() {
            @Override
            public <T extends HasMetadata> List<T> list(Class<T> type) {
                return kube.resources(type).list().getItems();
            }

            @Override
            public <T extends HasMetadata> T get(Class<T> type, String name) {
                return kube.resources(type).withName(name).get();
            }
        };
    }
}
