package dev.prescient.operator.telemetry;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Model state (failure thresholds and health histories, heat classes, affinity profiles, used-bytes histories)
 * kept in a ConfigMap so a new leader starts from what the old one learnt. Keys are made ConfigMap-safe; a
 * ConfigMap holds at most 1 MiB, so beyond {@code maxEntries} or ~900 KiB the rest is dropped (and relearnt), in
 * priority order, never the write failing.
 */
public final class ModelStateStore {

    private static final Logger LOG = Logger.getLogger(ModelStateStore.class);

    private final KubernetesClient kube;
    private final String namespace;
    private final String name;
    private final int maxEntries;

    public ModelStateStore(KubernetesClient kube, String namespace, String name, int maxEntries) {
        this.kube = kube;
        this.namespace = namespace;
        this.name = name;
        this.maxEntries = maxEntries;
    }

    static String encodeKey(String k) {
        StringBuilder b = new StringBuilder();
        for (char c : k.toCharArray()) {
            if (Character.isLetterOrDigit(c) || c == '-' || c == '.') {
                b.append(c);
            } else {
                b.append('_').append(String.format("%02x", (int) c & 0xff));
            }
        }
        return b.toString();
    }

    static String decodeKey(String k) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < k.length(); i++) {
            char c = k.charAt(i);
            if (c == '_' && i + 2 < k.length()) {
                b.append((char) Integer.parseInt(k.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    public Map<String, String> load() {
        try {
            ConfigMap cm = kube.configMaps().inNamespace(namespace).withName(name).get();
            Map<String, String> out = new HashMap<>();
            if (cm != null && cm.getData() != null) {
                cm.getData().forEach((k, v) -> out.put(decodeKey(k), v));
            }
            return out;
        } catch (KubernetesClientException e) {
            LOG.warnf("ConfigMap/%s: model state not loaded: %s", name, e.getMessage());
            return Map.of();
        }
    }

    /** Stay under the API server's 1 MiB object limit with room for metadata. */
    static final int MAX_BYTES = 900 << 10;
    /** What is kept first when not everything fits: the cheapest to store and the slowest to relearn. */
    static final List<String> PRIORITY = List.of("health.", "heat.", "affinity.", "used.");

    /**
     * The entries that go into the ConfigMap: by {@link #PRIORITY} of their prefix, then by key, until
     * {@code maxEntries} or {@code maxBytes} (keys and values) is reached; the rest is relearnt.
     */
    static Map<String, String> select(Map<String, String> state, int maxEntries, int maxBytes) {
        List<Map.Entry<String, String>> all = new ArrayList<>(state.entrySet());
        all.sort(Comparator.comparingInt((Map.Entry<String, String> e) -> rank(e.getKey()))
                .thenComparing(Map.Entry::getKey));
        Map<String, String> data = new TreeMap<>();
        long bytes = 0;
        for (Map.Entry<String, String> e : all) {
            String k = encodeKey(e.getKey());
            long size = k.length() + e.getValue().length();
            if (data.size() >= maxEntries || bytes + size > maxBytes) {
                break;
            }
            data.put(k, e.getValue());
            bytes += size;
        }
        return data;
    }

    private static int rank(String key) {
        for (int i = 0; i < PRIORITY.size(); i++) {
            if (key.startsWith(PRIORITY.get(i))) {
                return i;
            }
        }
        return PRIORITY.size();
    }

    public void save(Map<String, String> state) {
        Map<String, String> data = select(state, maxEntries, MAX_BYTES);
        if (data.size() < state.size()) {
            LOG.debugf("ConfigMap/%s: %d of %d model state entries fit; the rest is relearnt", name, data.size(),
                    state.size());
        }
        try {
            kube.configMaps().inNamespace(namespace).resource(new ConfigMapBuilder().withNewMetadata().withName(name)
                    .withNamespace(namespace).endMetadata().withData(data).build()).serverSideApply();
        } catch (KubernetesClientException e) {
            try {
                kube.configMaps().inNamespace(namespace).resource(new ConfigMapBuilder().withNewMetadata()
                        .withName(name).withNamespace(namespace).endMetadata().withData(data).build())
                        .createOr(c -> c.update());
            } catch (KubernetesClientException e2) {
                LOG.warnf("ConfigMap/%s: model state not saved: %s", name, e2.getMessage());
            }
        }
    }
}
