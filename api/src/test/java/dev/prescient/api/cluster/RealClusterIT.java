package dev.prescient.api.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prescient.api.testing.RepoFiles;
import dev.prescient.api.v1alpha1.PrescientResources;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.FieldValidateable;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Against a real API server, when KUBECONFIG names one: the CRDs install and become Established,
 * every sample is accepted (server-side dry run) and every invalid sample is refused with its
 * message. Skipped, saying so, when no cluster is given.
 */
class RealClusterIT {

    static KubernetesClient client;
    static final KubernetesSerialization K8S = PrescientResources.serialization();

    @BeforeAll
    static void connect() {
        if (System.getenv("KUBECONFIG") == null) {
            System.out.println("RealClusterIT skipped: no KUBECONFIG given (set it to run the CRDs and samples against a real API server)");
        }
        Assumptions.assumeTrue(System.getenv("KUBECONFIG") != null,
                "RealClusterIT skipped: no KUBECONFIG given, so there is no real API server to apply the CRDs and samples to");
        client = new KubernetesClientBuilder().build();
        for (Path f : RepoFiles.yamlFiles(RepoFiles.root().resolve("crds"))) {
            CustomResourceDefinition crd = K8S.unmarshal(RepoFiles.YAML.valueToTree(RepoFiles.documents(f).get(0)).toString(),
                    CustomResourceDefinition.class);
            client.resource(crd).forceConflicts().serverSideApply();
            client.apiextensions().v1().customResourceDefinitions().withName(crd.getMetadata().getName())
                    .waitUntilCondition(c -> c.getStatus() != null && c.getStatus().getConditions().stream()
                            .anyMatch(x -> x.getType().equals("Established") && x.getStatus().equals("True")), 60, TimeUnit.SECONDS);
        }
    }

    @AfterAll
    static void close() {
        if (client != null) {
            client.close();
        }
    }

    static String kubectlDryRun(Path file) {
        try {
            Process p = new ProcessBuilder("kubectl", "create", "--dry-run=server", "-f", file.toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor()).as("kubectl refuses %s: %s", file.getFileName(), out).isNotZero();
            return out;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** This run's suffix: the cluster may hold objects of the samples' names (a chart's default tiers, say). */
    static final String RUN = "-it" + Long.toString(System.nanoTime() % 1_000_000, 36);

    static GenericKubernetesResource resource(JsonNode doc) {
        GenericKubernetesResource r = K8S.unmarshal(doc.toString(), GenericKubernetesResource.class);
        r.getMetadata().setName(r.getMetadata().getName() + RUN);
        return r;
    }

    @Test
    void samplesAreAccepted() {
        for (Path f : RepoFiles.yamlFiles(RepoFiles.root().resolve("samples"))) {
            for (JsonNode doc : RepoFiles.documents(f)) {
                GenericKubernetesResource r = resource(doc);
                client.resource(r).dryRun().create();
            }
        }
    }

    @Test
    void invalidSamplesAreRefusedWithTheirMessage() {
        for (Path f : RepoFiles.yamlFiles(RepoFiles.root().resolve("samples/invalid"))) {
            String expected = RepoFiles.expectedMessage(f);
            List<JsonNode> docs = RepoFiles.documents(f);
            KubernetesClientException e;
            if (docs.size() == 1) {
                e = catchThrowableOfType(KubernetesClientException.class, () -> client.resource(resource(docs.get(0)))
                        .dryRun().fieldValidation(FieldValidateable.Validation.STRICT).create());
                if (e == null && expected.contains("is not defined in the schema")) {
                    // A server without server-side field validation (before 1.25's beta) prunes unknown fields even
                    // when asked for Strict; kubectl then refuses them itself, against the schema the server publishes.
                    String kubectl = kubectlDryRun(f);
                    assertThat(kubectl).as("%s: kubectl against the server's published schema", f.getFileName())
                            .contains("unknown field \"" + expected.replaceAll(".*property '([^']+)'.*", "$1") + "\"");
                    System.out.println(f.getFileName() + ": pruned by this server, refused by kubectl: " + kubectl.strip());
                    continue;
                }
            } else {
                GenericKubernetesResource stored = client.resource(resource(docs.get(0))).create();
                try {
                    GenericKubernetesResource update = resource(docs.get(1));
                    // An operator running in the cluster may write the object meanwhile: retry a conflict (409).
                    int attempts = 0;
                    do {
                        update.getMetadata().setResourceVersion(client.resource(stored).get().getMetadata().getResourceVersion());
                        e = catchThrowableOfType(KubernetesClientException.class, () -> client.resource(update).dryRun().update());
                    } while (e != null && e.getCode() == 409 && ++attempts < 10);
                } finally {
                    client.resource(stored).delete();
                }
            }
            assertThat(e).as("%s is refused", f.getFileName()).isNotNull();
            assertThat(e.getCode()).as(f.getFileName().toString()).isEqualTo(422);
            // The API server words structural errors its own way; CEL messages are ours verbatim.
            if (!expected.contains("regex") && !expected.contains("enumeration") && !expected.contains("minimum")
                    && !expected.contains("required property") && !expected.contains("not defined")) {
                assertThat(e.getMessage()).as(f.getFileName().toString()).contains(expected);
            }
        }
    }
}
