package dev.prescient.csi.controller;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Volumes as {@code ReplicatedVolume} resources (cluster-scoped, group storage.prescient.dev,
 * named by volume id), snapshots as labelled ConfigMaps in the driver namespace (the API has no
 * snapshot resource and a snapshot must outlive its source volume).
 *
 * <p>Written against the generic resource API so it does not wait for the typed api classes;
 * field names follow the api module's ReplicatedVolumeSpec. The
 * CSI-only bookkeeping (name, parameters, source, attachment) lives in annotations so it cannot
 * collide with fields the operator owns.
 */
public final class KubeVolumeRegistry implements VolumeRegistry {
    public static final ResourceDefinitionContext RVOL = new ResourceDefinitionContext.Builder()
            .withGroup("storage.prescient.dev").withVersion("v1alpha1").withKind("ReplicatedVolume")
            .withPlural("replicatedvolumes").withNamespaced(false).build();
    private static final String A = "csi.prescient.dev/";
    private static final String SNAP_LABEL = "csi.prescient.dev/snapshot";
    /** MirrorPolicy used when the StorageClass names none (the api requires spec.policy). */
    public static final String DEFAULT_POLICY = "default";

    private final KubernetesClient client;
    private final String namespace;

    public KubeVolumeRegistry(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
    }

    /** Runs one API call; its failure becomes a CSI status with a message to act on (KubeErrors). */
    private static <T> T kube(String what, java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (KubernetesClientException e) {
            throw KubeErrors.toCsi(what, e);
        }
    }

    private static void kubeDo(String what, Runnable call) {
        kube(what, () -> {
            call.run();
            return null;
        });
    }

    @Override
    public Optional<VolumeRecord> volume(String id) {
        GenericKubernetesResource r = kube("read ReplicatedVolume " + id,
                () -> client.genericKubernetesResources(RVOL).withName(id).get());
        return Optional.ofNullable(r).map(KubeVolumeRegistry::fromResource);
    }

    @Override
    public void putVolume(VolumeRecord v) {
        GenericKubernetesResource r = new GenericKubernetesResource();
        r.setApiVersion("storage.prescient.dev/v1alpha1");
        r.setKind("ReplicatedVolume");
        Map<String, String> ann = new LinkedHashMap<>();
        ann.put(A + "name", v.name());
        ann.put(A + "parameters", encode(v.parameters()));
        ann.put(A + "source", v.sourceKind() + ":" + v.sourceId());
        ann.put(A + "zone", v.zone());
        ann.put(A + "node", v.nodeId());
        ann.put(A + "phase", v.phase());
        ann.put(A + "published", String.join(",", v.publishedNodes()));
        ann.put(A + "readonly", String.join(",", v.readonlyNodes()));
        // Field names and rules of the api module's ReplicatedVolumeSpec (policy and initialTier are
        // required there; a real API server prunes fields its schema does not know).
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("capacityBytes", v.sizeBytes());
        spec.put("policy", v.mirrorPolicy().isEmpty() ? DEFAULT_POLICY : v.mirrorPolicy());
        spec.put("initialTier", v.tier());
        spec.put("replicas", v.replicas());
        spec.put("persistentVolumeName", v.name());
        if (!v.sourceKind().isEmpty()) {
            spec.put("source", Map.of(v.sourceKind(), v.sourceId()));
        }
        spec.put("placement", Map.of("preferredNodes", List.of(v.nodeId())));
        r.setAdditionalProperty("spec", spec);
        kubeDo("write ReplicatedVolume " + v.id(), () -> OnConflict.retry(() -> {
            r.setMetadata(new ObjectMetaBuilder().withName(v.id()).withAnnotations(ann).build());
            r.getAdditionalProperties().remove("status");
            GenericKubernetesResource current = client.genericKubernetesResources(RVOL).withName(v.id()).get();
            if (current == null) {
                client.genericKubernetesResources(RVOL).resource(r).create();
            } else {
                r.getMetadata().setResourceVersion(current.getMetadata().getResourceVersion());
                // Keep what the operator wrote (status, other annotations): overwrite only our keys.
                Map<String, String> merged = new HashMap<>(
                        Optional.ofNullable(current.getMetadata().getAnnotations()).orElse(Map.of()));
                merged.putAll(ann);
                r.getMetadata().setAnnotations(merged);
                Object status = current.getAdditionalProperties().get("status");
                if (status != null) {
                    r.setAdditionalProperty("status", status);
                }
                client.genericKubernetesResources(RVOL).resource(r).update();
            }
        }));
    }

    @Override
    public void deleteVolume(String id) {
        kubeDo("delete ReplicatedVolume " + id, () -> client.genericKubernetesResources(RVOL).withName(id).delete());
    }

    @Override
    public List<VolumeRecord> volumes() {
        List<VolumeRecord> out = new ArrayList<>();
        for (GenericKubernetesResource r : kube("list ReplicatedVolumes",
                () -> client.genericKubernetesResources(RVOL).list().getItems())) {
            if (r.getMetadata().getAnnotations() != null && r.getMetadata().getAnnotations().containsKey(A + "name")) {
                out.add(fromResource(r));
            }
        }
        out.sort(Comparator.comparing(VolumeRecord::id));
        return out;
    }

    @SuppressWarnings("unchecked")
    static VolumeRecord fromResource(GenericKubernetesResource r) {
        Map<String, String> ann = r.getMetadata().getAnnotations() == null ? Map.of() : r.getMetadata().getAnnotations();
        Map<String, Object> spec = (Map<String, Object>) r.getAdditionalProperties().getOrDefault("spec", Map.of());
        String source = ann.getOrDefault(A + "source", ":");
        int colon = source.indexOf(':');
        Map<String, String> params = decode(ann.getOrDefault(A + "parameters", ""));
        return new VolumeRecord(r.getMetadata().getName(), ann.getOrDefault(A + "name", ""),
                ((Number) spec.getOrDefault("capacityBytes", 0)).longValue(), params,
                source.substring(0, colon), source.substring(colon + 1), ann.getOrDefault(A + "node", ""),
                ann.getOrDefault(A + "zone", ""), String.valueOf(spec.getOrDefault("initialTier", "default")),
                ((Number) spec.getOrDefault("replicas", 1)).intValue(),
                params.getOrDefault(ControllerService.PARAM_POLICY, ""),
                ann.getOrDefault(A + "phase", "Pending"), split(ann.get(A + "published")), split(ann.get(A + "readonly")));
    }

    private static Set<String> split(String s) {
        return s == null || s.isEmpty() ? Set.of() : Set.of(s.split(","));
    }

    /** Parameters as key=value lines; StorageClass keys and values never contain newlines. */
    static String encode(Map<String, String> m) {
        StringBuilder b = new StringBuilder();
        m.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> b.append(e.getKey()).append('=').append(e.getValue()).append('\n'));
        return b.toString();
    }

    static Map<String, String> decode(String s) {
        Map<String, String> m = new HashMap<>();
        for (String line : s.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                m.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return m;
    }

    @Override
    public Optional<SnapshotRecord> snapshot(String id) {
        return Optional.ofNullable(kube("read snapshot ConfigMap " + namespace + "/" + id,
                () -> client.configMaps().inNamespace(namespace).withName(id).get()))
                .filter(cm -> cm.getMetadata().getLabels() != null && cm.getMetadata().getLabels().containsKey(SNAP_LABEL))
                .map(KubeVolumeRegistry::fromConfigMap);
    }

    @Override
    public void putSnapshot(SnapshotRecord s) {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("name", s.name());
        d.put("sourceVolumeId", s.sourceVolumeId());
        d.put("nodeId", s.nodeId());
        d.put("sizeBytes", Long.toString(s.sizeBytes()));
        d.put("createdMillis", Long.toString(s.createdMillis()));
        d.put("ready", Boolean.toString(s.ready()));
        ConfigMap cm = new ConfigMapBuilder().withNewMetadata().withName(s.id()).withNamespace(namespace)
                .addToLabels(SNAP_LABEL, "true").endMetadata().withData(d).build();
        kubeDo("write snapshot ConfigMap " + namespace + "/" + s.id(),
                () -> client.configMaps().inNamespace(namespace).resource(cm).createOr(x -> x.update()));
    }

    private static SnapshotRecord fromConfigMap(ConfigMap cm) {
        Map<String, String> d = cm.getData();
        return new SnapshotRecord(cm.getMetadata().getName(), d.get("name"), d.get("sourceVolumeId"), d.get("nodeId"),
                Long.parseLong(d.get("sizeBytes")), Long.parseLong(d.get("createdMillis")),
                Boolean.parseBoolean(d.get("ready")));
    }

    @Override
    public void deleteSnapshot(String id) {
        kubeDo("delete snapshot ConfigMap " + namespace + "/" + id,
                () -> client.configMaps().inNamespace(namespace).withName(id).delete());
    }

    @Override
    public List<SnapshotRecord> snapshots() {
        List<SnapshotRecord> out = new ArrayList<>(kube("list snapshot ConfigMaps in " + namespace,
                () -> client.configMaps().inNamespace(namespace).withLabel(SNAP_LABEL).list().getItems())
                .stream().map(KubeVolumeRegistry::fromConfigMap).toList());
        out.sort(Comparator.comparing(SnapshotRecord::id));
        return out;
    }

    @Override
    public Optional<String> notReadyReason() {
        try {
            client.genericKubernetesResources(RVOL).list();
            return Optional.empty();
        } catch (KubernetesClientException e) {
            return Optional.of("Kubernetes API not usable: " + e.getMessage());
        }
    }
}
