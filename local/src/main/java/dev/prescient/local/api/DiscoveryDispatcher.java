package dev.prescient.local.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Answers API discovery (/api, /apis, /api/v1, /apis/GROUP/VERSION) the way a real API server does, with short
 * names and categories, and passes everything else to the CRUD dispatcher. kubectl resolves {@code stier} or
 * {@code storageclass} only through discovery, which the mock server does not answer in full.
 */
public final class DiscoveryDispatcher extends Dispatcher {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> VERBS = List.of("create", "delete", "deletecollection", "get", "list", "patch",
            "update", "watch");

    /** One resource type as discovery lists it. */
    public record Kind(String group, String version, String plural, String singular, String kind, boolean namespaced,
            List<String> shortNames, List<String> categories) {
    }

    private final Dispatcher delegate;
    private final List<Kind> kinds = new CopyOnWriteArrayList<>(builtIns());

    public DiscoveryDispatcher(Dispatcher delegate) {
        this.delegate = delegate;
    }

    static List<Kind> builtIns() {
        return List.of(
                new Kind("", "v1", "namespaces", "namespace", "Namespace", false, List.of("ns"), List.of()),
                new Kind("", "v1", "nodes", "node", "Node", false, List.of("no"), List.of()),
                new Kind("", "v1", "pods", "pod", "Pod", true, List.of("po"), List.of("all")),
                new Kind("", "v1", "events", "event", "Event", true, List.of("ev"), List.of()),
                new Kind("", "v1", "configmaps", "configmap", "ConfigMap", true, List.of("cm"), List.of()),
                new Kind("", "v1", "secrets", "secret", "Secret", true, List.of(), List.of()),
                new Kind("", "v1", "persistentvolumes", "persistentvolume", "PersistentVolume", false, List.of("pv"),
                        List.of()),
                new Kind("", "v1", "persistentvolumeclaims", "persistentvolumeclaim", "PersistentVolumeClaim", true,
                        List.of("pvc"), List.of()),
                new Kind("storage.k8s.io", "v1", "storageclasses", "storageclass", "StorageClass", false,
                        List.of("sc"), List.of()),
                new Kind("coordination.k8s.io", "v1", "leases", "lease", "Lease", true, List.of(), List.of()),
                new Kind("apiextensions.k8s.io", "v1", "customresourcedefinitions", "customresourcedefinition",
                        "CustomResourceDefinition", false, List.of("crd", "crds"), List.of()));
    }

    /** Adds the served versions of a CRD to discovery. */
    public void register(CustomResourceDefinition crd) {
        var spec = crd.getSpec();
        var names = spec.getNames();
        for (var v : spec.getVersions()) {
            if (Boolean.TRUE.equals(v.getServed())) {
                kinds.removeIf(k -> k.group().equals(spec.getGroup()) && k.version().equals(v.getName())
                        && k.plural().equals(names.getPlural()));
                kinds.add(new Kind(spec.getGroup(), v.getName(), names.getPlural(), names.getSingular(),
                        names.getKind(), "Namespaced".equals(spec.getScope()),
                        names.getShortNames() == null ? List.of() : names.getShortNames(),
                        names.getCategories() == null ? List.of() : names.getCategories()));
            }
        }
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        if ("POST".equalsIgnoreCase(request.getMethod())
                && request.getPath().startsWith("/apis/authorization.k8s.io/v1/selfsubject")) {
            return selfSubjectReview(request);
        }
        if ("GET".equalsIgnoreCase(request.getMethod())) {
            String path = request.getPath();
            int q = path.indexOf('?');
            if (q >= 0) {
                path = path.substring(0, q);
            }
            Object body = discovery(path);
            if (body != null) {
                try {
                    return new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json")
                            .setBody(JSON.writeValueAsString(body));
                } catch (Exception e) {
                    return new MockResponse().setResponseCode(500).setBody(e.toString());
                }
            }
        }
        if ("PATCH".equalsIgnoreCase(request.getMethod()) && String.valueOf(request.getHeader("Content-Type"))
                .startsWith(APPLY_PATCH)) {
            return serverSideApply(request);
        }
        return delegate.dispatch(request);
    }

    static final String APPLY_PATCH = "application/apply-patch";

    /**
     * The mock answers server-side apply with 415, and the operator writes status that way (as it should against
     * a real API server). Here an apply is merged into the stored object as a JSON merge patch would be (RFC 7386:
     * objects merged, lists and scalars replaced) and written back in one JSON patch of the applied top-level
     * fields, or created when the object does not exist yet. Not the mock's own merge patch: it appends to lists,
     * so the status lists the operator rewrites every pass (forecasts, conditions) would grow without end. The
     * difference from real SSA - fields this manager owned before and now omits are not removed - does not matter
     * to a local endpoint whose writers always send whole status objects.
     */
    @SuppressWarnings("unchecked")
    private MockResponse serverSideApply(RecordedRequest request) {
        Map<String, Object> applied;
        String json;
        try {
            applied = io.fabric8.kubernetes.client.utils.Serialization.unmarshal(request.getUtf8Body(), Map.class);
            json = JSON.writeValueAsString(applied);
        } catch (Exception e) {
            return new MockResponse().setResponseCode(400).setBody("apply patch is neither JSON nor YAML: " + e);
        }
        if (applied == null) {
            return new MockResponse().setResponseCode(400).setBody("apply patch is empty");
        }
        // Without the query: fieldManager and force mean nothing here (and the mock reads queries as selectors).
        String path = request.getPath();
        int q = path.indexOf('?');
        String bare = q < 0 ? path : path.substring(0, q);
        String objectPath = bare.endsWith("/status") ? bare.substring(0, bare.length() - "/status".length()) : bare;
        MockResponse current = delegate.dispatch(new RecordedRequest("GET " + objectPath + " HTTP/1.1", HttpMethod.GET,
                objectPath, withContentType(request, "application/json"), new Buffer()));
        if (current.code() == 404 && !bare.endsWith("/status")) {
            String collection = bare.substring(0, bare.lastIndexOf('/'));
            Headers create = withContentType(request, "application/json");
            return delegate.dispatch(new RecordedRequest("POST " + collection + " HTTP/1.1", HttpMethod.POST,
                    collection, create, new Buffer(json.getBytes(StandardCharsets.UTF_8))));
        }
        if (current.code() != 200) {
            return current;
        }
        List<Map<String, Object>> ops = new ArrayList<>();
        try {
            Map<String, Object> stored = JSON.readValue(current.getBody().readUtf8(), Map.class);
            for (var e : applied.entrySet()) {
                String k = e.getKey();
                if (k.equals("apiVersion") || k.equals("kind")) {
                    continue;
                }
                if (k.equals("metadata")) {
                    Map<String, Object> meta = e.getValue() instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
                    Map<String, Object> storedMeta = (Map<String, Object>) stored.getOrDefault("metadata", Map.of());
                    for (String mk : List.of("labels", "annotations")) {
                        if (meta.containsKey(mk)) {
                            ops.add(op("/metadata/" + mk, merge(storedMeta.get(mk), meta.get(mk))));
                        }
                    }
                    continue;
                }
                ops.add(op("/" + k.replace("~", "~0").replace("/", "~1"), merge(stored.get(k), e.getValue())));
            }
        } catch (Exception e) {
            return new MockResponse().setResponseCode(500).setBody("merging the apply: " + e);
        }
        if (ops.isEmpty()) {
            return current;
        }
        String patch;
        try {
            patch = JSON.writeValueAsString(ops);
        } catch (Exception e) {
            return new MockResponse().setResponseCode(500).setBody(e.toString());
        }
        return delegate.dispatch(new RecordedRequest("PATCH " + bare + " HTTP/1.1", HttpMethod.PATCH, bare,
                withContentType(request, "application/json-patch+json"),
                new Buffer(patch.getBytes(StandardCharsets.UTF_8))));
    }

    private static Map<String, Object> op(String path, Object value) {
        Map<String, Object> op = new LinkedHashMap<>();
        op.put("op", "add"); // add replaces an existing member (RFC 6902 4.1)
        op.put("path", path);
        op.put("value", value);
        return op;
    }

    /** RFC 7386 merge of {@code patch} into {@code target}: objects merge, null removes, anything else replaces. */
    @SuppressWarnings("unchecked")
    static Object merge(Object target, Object patch) {
        if (!(patch instanceof Map<?, ?> p)) {
            return patch;
        }
        Map<String, Object> out = target instanceof Map<?, ?> t ? new LinkedHashMap<>((Map<String, Object>) t)
                : new LinkedHashMap<>();
        for (var e : ((Map<String, Object>) p).entrySet()) {
            if (e.getValue() == null) {
                out.remove(e.getKey());
            } else {
                out.put(e.getKey(), merge(out.get(e.getKey()), e.getValue()));
            }
        }
        return out;
    }

    /** The request's headers with one content type (header names arrive in any case). */
    private static Headers withContentType(RecordedRequest request, String type) {
        Headers.Builder b = Headers.builder();
        request.getHeaders().toMultimap().forEach((k, vs) -> {
            if (!k.equalsIgnoreCase("Content-Type") && !k.equalsIgnoreCase("Content-Length")) {
                vs.forEach(v -> b.add(k, v));
            }
        });
        return b.add("content-type", type).build();
    }

    /**
     * The local endpoint has no RBAC: the caller may do everything. The operator asks before it starts its
     * controllers (SelfSubjectRulesReview / SelfSubjectAccessReview), which the mock would refuse with 422.
     */
    @SuppressWarnings("unchecked")
    private static MockResponse selfSubjectReview(RecordedRequest request) {
        try {
            Map<String, Object> review = JSON.readValue(request.getUtf8Body(), Map.class);
            if (request.getPath().contains("rulesreviews")) {
                review.put("status", Map.of("incomplete", false, "resourceRules", List.of(Map.of("verbs",
                        List.of("*"), "apiGroups", List.of("*"), "resources", List.of("*"))),
                        "nonResourceRules", List.of(Map.of("verbs", List.of("*"), "nonResourceURLs", List.of("*")))));
            } else {
                review.put("status", Map.of("allowed", true, "reason", "local mode has no RBAC"));
            }
            return new MockResponse().setResponseCode(201).setHeader("Content-Type", "application/json")
                    .setBody(JSON.writeValueAsString(review));
        } catch (Exception e) {
            return new MockResponse().setResponseCode(400).setBody(e.toString());
        }
    }

    /** The discovery document for {@code path}, or null when the path is not a discovery path. */
    Object discovery(String path) {
        if (path.equals("/api")) {
            return Map.of("kind", "APIVersions", "versions", List.of("v1"),
                    "serverAddressByClientCIDRs", List.of(Map.of("clientCIDR", "0.0.0.0/0",
                            "serverAddress", "127.0.0.1")));
        }
        if (path.equals("/apis")) {
            Map<String, List<String>> groups = new LinkedHashMap<>();
            for (Kind k : kinds) {
                if (!k.group().isEmpty()) {
                    List<String> vs = groups.computeIfAbsent(k.group(), g -> new ArrayList<>());
                    if (!vs.contains(k.version())) {
                        vs.add(k.version());
                    }
                }
            }
            List<Object> list = new ArrayList<>();
            groups.forEach((g, vs) -> {
                List<Object> versions = vs.stream().<Object>map(v -> Map.of("groupVersion", g + "/" + v, "version", v))
                        .toList();
                list.add(Map.of("name", g, "versions", versions, "preferredVersion", versions.get(0)));
            });
            return Map.of("kind", "APIGroupList", "apiVersion", "v1", "groups", list);
        }
        String group;
        String version;
        String[] parts = path.split("/");
        if (parts.length == 3 && parts[1].equals("api")) {
            group = "";
            version = parts[2];
        } else if (parts.length == 4 && parts[1].equals("apis")) {
            group = parts[2];
            version = parts[3];
        } else {
            return null;
        }
        List<Object> resources = new ArrayList<>();
        for (Kind k : kinds) {
            if (k.group().equals(group) && k.version().equals(version)) {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("name", k.plural());
                r.put("singularName", k.singular());
                r.put("namespaced", k.namespaced());
                r.put("kind", k.kind());
                r.put("verbs", VERBS);
                r.put("shortNames", k.shortNames());
                r.put("categories", k.categories());
                resources.add(r);
                resources.add(Map.of("name", k.plural() + "/status", "singularName", "", "namespaced",
                        k.namespaced(), "kind", k.kind(), "verbs", List.of("get", "patch", "update")));
            }
        }
        if (resources.isEmpty()) {
            return null;
        }
        return Map.of("kind", "APIResourceList", "apiVersion", "v1",
                "groupVersion", group.isEmpty() ? version : group + "/" + version, "resources", resources);
    }

    @Override
    public void shutdown() {
        delegate.shutdown();
    }
}
