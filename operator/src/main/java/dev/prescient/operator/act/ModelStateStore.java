package dev.prescient.operator.act;

import dev.prescient.operator.plan.ModelState;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Model state kept in ConfigMaps so that a new leader starts from what the old one learnt: named parts, each a JSON
 * document in a ConfigMap of its own ({@code <name>-<part>}, labelled {@value #PART_LABEL}={@code <name>}), so that no
 * object nears the API server's 1 MiB limit and a change rewrites one part, not everything. A part is written only
 * when its JSON differs from what was last written or loaded, and by a writer thread of its own, so a planner pass
 * never waits for the API server here. What the parts hold is the caller's business (the planner's PlannerMemory).
 */
public final class ModelStateStore implements ModelState, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ModelStateStore.class);

    public static final String PART_LABEL = "storage.prescient.dev/model-state";
    static final String KEY = "state.json";
    /** Stay under the API server's 1 MiB object limit with room for metadata. */
    public static final int MAX_BYTES = ModelState.MAX_BYTES;

    private final KubernetesClient kube;
    private final String namespace;
    private final String name;
    /** Per part, the digest of the JSON last written or loaded: an equal part is not written again. */
    private final Map<String, String> stored = new ConcurrentHashMap<>();
    private final Map<String, String> queued = new LinkedHashMap<>();
    private boolean draining;
    private final AtomicInteger writes = new AtomicInteger();
    private final ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "model-state-writer");
        t.setDaemon(true);
        return t;
    });

    public ModelStateStore(KubernetesClient kube, String namespace, String name) {
        this.kube = kube;
        this.namespace = namespace;
        this.name = name;
    }

    public String configMapName(String part) {
        return name + "-" + part;
    }

    @Override
    public String where(String part) {
        return "ConfigMap/" + configMapName(part);
    }

    /** Every part found (part name to JSON). A failed list is logged and gives nothing: the models relearn. */
    @Override
    public Map<String, String> load() {
        Map<String, String> out = new HashMap<>();
        try {
            for (ConfigMap cm : kube.configMaps().inNamespace(namespace).withLabel(PART_LABEL, name).list()
                    .getItems()) {
                String cmName = cm.getMetadata().getName();
                String json = cm.getData() == null ? null : cm.getData().get(KEY);
                if (json == null || !cmName.startsWith(name + "-")) {
                    continue;
                }
                String part = cmName.substring(name.length() + 1);
                out.put(part, json);
                stored.put(part, digest(json));
            }
        } catch (KubernetesClientException e) {
            LOG.warnf("ConfigMap/%s-*: model state not loaded: %s", name, e.getMessage());
        }
        return out;
    }

    /**
     * Queues parts for the writer; a part equal to what is stored is dropped here, and a part queued again before it
     * was written is replaced by the newer JSON. A part over {@link #MAX_BYTES} is refused (the caller trims).
     */
    @Override
    public void save(Map<String, String> parts) {
        synchronized (queued) {
            parts.forEach((part, json) -> {
                if (json.length() > MAX_BYTES) {
                    LOG.warnf("ConfigMap/%s: %d bytes of model state, over the %d limit; not written",
                            configMapName(part), json.length(), MAX_BYTES);
                } else if (!digest(json).equals(stored.get(part))) {
                    queued.put(part, json);
                }
            });
            if (!queued.isEmpty() && !draining) {
                draining = true;
                writer.execute(this::drain);
            }
        }
    }

    private void drain() {
        while (true) {
            Map<String, String> batch;
            synchronized (queued) {
                if (queued.isEmpty()) {
                    draining = false;
                    queued.notifyAll();
                    return;
                }
                batch = new LinkedHashMap<>(queued);
                queued.clear();
            }
            batch.forEach(this::write);
        }
    }

    private void write(String part, String json) {
        ConfigMap cm = new ConfigMapBuilder().withNewMetadata().withName(configMapName(part)).withNamespace(namespace)
                .addToLabels(PART_LABEL, name).endMetadata().addToData(KEY, json).build();
        try {
            try {
                kube.configMaps().inNamespace(namespace).resource(cm).serverSideApply();
            } catch (KubernetesClientException e) {
                // A server (or the test server) without server-side apply.
                kube.configMaps().inNamespace(namespace).resource(cm).createOr(c -> c.update());
            }
            stored.put(part, digest(json));
            writes.incrementAndGet();
        } catch (KubernetesClientException e) {
            // Not stored: the next save of this part tries again (its hash still differs).
            LOG.warnf("ConfigMap/%s: model state not saved: %s", configMapName(part), e.getMessage());
        }
    }

    static String digest(String json) {
        try {
            return java.util.Base64.getEncoder().encodeToString(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(json.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** Waits until every queued part was written (or failed); false on timeout. */
    @Override
    public boolean flush(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (queued) {
            while (draining) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                queued.wait(Math.max(1, left / 1_000_000));
            }
        }
        return true;
    }

    /** ConfigMap writes done so far. */
    public int writes() {
        return writes.get();
    }

    @Override
    public void close() {
        writer.shutdown();
    }
}
