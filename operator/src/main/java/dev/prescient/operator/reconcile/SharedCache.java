package dev.prescient.operator.reconcile;

import dev.prescient.operator.observe.ClusterCache;
import dev.prescient.operator.observe.ClusterReads;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;

import java.util.List;

/** Hands a reconciler's primary informer store to the operator's one {@link ClusterCache} (issue 17). */
final class SharedCache {

    private SharedCache() {
    }

    /** For prepareEventSources: shares the primary store when {@code reads} is the cache; no extra event source. */
    static <P extends HasMetadata> List<EventSource<?, P>> share(ClusterReads reads, EventSourceContext<P> context) {
        if (reads instanceof ClusterCache cache) {
            cache.register(context.getPrimaryResourceClass(), context.getPrimaryCache());
        }
        return List.of();
    }
}
