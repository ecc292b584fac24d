package dev.prescient.local.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DiscoveryDispatcherTest {
    static final Path ROOT = Path.of(System.getProperty("prescient.root", ".."));

    @Test
    @SuppressWarnings("unchecked")
    void listsCrdsWithShortNamesAndBuiltIns() throws Exception {
        DiscoveryDispatcher d = new DiscoveryDispatcher(null);
        CustomResourceDefinition crd = Serialization.unmarshal(
                Files.readString(ROOT.resolve("crds/storagetiers.storage.prescient.dev.yaml")),
                CustomResourceDefinition.class);
        d.register(crd);
        Map<String, Object> groups = (Map<String, Object>) d.discovery("/apis");
        assertThat((List<Map<String, Object>>) groups.get("groups")).extracting(g -> g.get("name"))
                .contains("storage.prescient.dev", "storage.k8s.io");
        Map<String, Object> list = (Map<String, Object>) d.discovery("/apis/storage.prescient.dev/v1alpha1");
        Map<String, Object> stier = ((List<Map<String, Object>>) list.get("resources")).get(0);
        assertThat(stier).containsEntry("name", "storagetiers").containsEntry("namespaced", false);
        assertThat((List<String>) stier.get("shortNames")).contains("stier");
        assertThat(d.discovery("/api/v1")).isNotNull();
        assertThat(d.discovery("/apis/storage.prescient.dev/v1alpha1/storagetiers")).isNull();
        assertThat(d.discovery("/apis/unknown.group/v1")).isNull();
    }

    @Test
    @SuppressWarnings("unchecked")
    void anApplyMergesAsRfc7386() {
        Object stored = java.util.Map.of("a", 1, "b", java.util.Map.of("c", 2, "d", 3), "l", java.util.List.of(1, 2));
        java.util.Map<String, Object> patch = new java.util.HashMap<>();
        patch.put("b", new java.util.HashMap<>(java.util.Map.of("c", 5)));
        ((java.util.Map<String, Object>) patch.get("b")).put("d", null);
        patch.put("l", java.util.List.of(9));
        assertThat(DiscoveryDispatcher.merge(stored, patch)).isEqualTo(java.util.Map.of("a", 1,
                "b", java.util.Map.of("c", 5), "l", java.util.List.of(9)));
        assertThat(DiscoveryDispatcher.merge(stored, "x")).isEqualTo("x");
        assertThat(DiscoveryDispatcher.merge(null, java.util.Map.of("k", 1))).isEqualTo(java.util.Map.of("k", 1));
    }
}
