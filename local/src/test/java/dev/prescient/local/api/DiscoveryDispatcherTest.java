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
}
