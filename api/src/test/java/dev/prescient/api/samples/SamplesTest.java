package dev.prescient.api.samples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prescient.api.testing.CrdSchema;
import dev.prescient.api.testing.RepoFiles;
import dev.prescient.api.v1alpha1.ApiGroup;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every sample a user may kubectl apply is accepted by the generated schema (structure and CEL
 * rules), and every file in samples/invalid/ is refused with the message its comment names.
 */
class SamplesTest {

    static Map<String, CrdSchema> schemas;

    @BeforeAll
    static void load() {
        schemas = CrdSchema.all();
        assertThat(schemas.keySet()).containsExactlyInAnyOrder(
                "StorageTier", "MirrorPolicy", "ReplicatedVolume", "VolumeMigration", "StorageNode");
    }

    static List<Path> validSamples() {
        return RepoFiles.yamlFiles(RepoFiles.root().resolve("samples"));
    }

    static List<Path> invalidSamples() {
        return RepoFiles.yamlFiles(RepoFiles.root().resolve("samples/invalid"));
    }

    static CrdSchema schemaOf(JsonNode doc) {
        CrdSchema s = schemas.get(doc.path("kind").asText());
        assertThat(s).as("a CRD for kind %s", doc.path("kind").asText()).isNotNull();
        return s;
    }

    @ParameterizedTest
    @MethodSource("validSamples")
    void validSampleIsAccepted(Path file) {
        List<JsonNode> docs = RepoFiles.documents(file);
        assertThat(docs).isNotEmpty();
        for (JsonNode doc : docs) {
            if (doc.path("apiVersion").asText().startsWith(ApiGroup.GROUP + "/")) {
                assertThat(schemaOf(doc).validateCreate(doc))
                        .as("%s: %s/%s", file.getFileName(), doc.path("kind").asText(), doc.at("/metadata/name").asText())
                        .isEmpty();
            }
        }
    }

    @ParameterizedTest
    @MethodSource("invalidSamples")
    void invalidSampleIsRefusedWithItsMessage(Path file) {
        String expected = RepoFiles.expectedMessage(file);
        List<JsonNode> docs = RepoFiles.documents(file);
        List<String> errors;
        if (docs.size() == 1) {
            errors = schemaOf(docs.get(0)).validateCreate(docs.get(0));
        } else {
            assertThat(docs).as("an update sample holds the stored object and the update").hasSize(2);
            CrdSchema schema = schemaOf(docs.get(0));
            assertThat(schema.validateCreate(docs.get(0))).as("the stored object itself is valid").isEmpty();
            assertThat(schema.validateCreate(docs.get(1))).as("the update is refused only as an update").isEmpty();
            errors = schema.validateUpdate(docs.get(0), docs.get(1));
        }
        assertThat(errors).as("%s is refused", file.getFileName()).isNotEmpty();
        assertThat(errors).as("%s is refused with a message containing '%s'", file.getFileName(), expected)
                .anySatisfy(e -> assertThat(e).contains(expected));
    }

    @Test
    void thereAreAtLeastTenInvalidSamplesEachSayingWhy() {
        List<Path> invalid = invalidSamples();
        assertThat(invalid).hasSizeGreaterThanOrEqualTo(10);
        invalid.forEach(RepoFiles::expectedMessage);
    }

    /** The samples hang together: the class names the policy, the policy names tiers, the claim the class. */
    @Test
    void samplesReferToEachOther() {
        KubernetesSerialization k8s = new KubernetesSerialization();
        List<HasMetadata> all = new ArrayList<>();
        for (Path f : validSamples()) {
            for (JsonNode doc : RepoFiles.documents(f)) {
                all.add(k8s.convertValue(doc, HasMetadata.class));
            }
        }
        Set<String> tiers = names(all, "StorageTier");
        Set<String> policies = names(all, "MirrorPolicy");
        assertThat(tiers).containsExactlyInAnyOrder("nvme", "ssd", "hdd");

        StorageClass sc = only(all, StorageClass.class);
        assertThat(sc.getProvisioner()).isEqualTo(ApiGroup.DRIVER_NAME);
        assertThat(policies).contains(sc.getParameters().get("mirrorPolicy"));
        assertThat(tiers).contains(sc.getParameters().get("tier"));
        assertThat(sc.getAllowVolumeExpansion()).isTrue();

        for (Path f : validSamples()) {
            for (JsonNode doc : RepoFiles.documents(f)) {
                if (doc.path("kind").asText().equals("MirrorPolicy")) {
                    doc.at("/spec/heatClasses").forEach(hc -> assertThat(tiers).contains(hc.path("tier").asText()));
                }
            }
        }
        PersistentVolumeClaim pvc = only(all, PersistentVolumeClaim.class);
        assertThat(pvc.getSpec().getStorageClassName()).isEqualTo(sc.getMetadata().getName());
        Deployment workload = only(all, Deployment.class);
        assertThat(workload.getSpec().getTemplate().getSpec().getVolumes())
                .anySatisfy(v -> assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo(pvc.getMetadata().getName()));
    }

    private static Set<String> names(List<HasMetadata> all, String kind) {
        return all.stream().filter(o -> o.getKind().equals(kind)).map(o -> o.getMetadata().getName()).collect(Collectors.toSet());
    }

    private static <T> T only(List<HasMetadata> all, Class<T> type) {
        List<T> found = all.stream().filter(type::isInstance).map(type::cast).toList();
        assertThat(found).as("exactly one %s among the samples", type.getSimpleName()).hasSize(1);
        return found.get(0);
    }
}
