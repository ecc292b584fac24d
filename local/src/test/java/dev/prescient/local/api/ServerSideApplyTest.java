package dev.prescient.local.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescient.api.v1alpha1.tier.StorageTier;
import dev.prescient.api.v1alpha1.tier.StorageTierStatus;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The operator writes status with server-side apply; the embedded endpoint must take it as a real one does. */
class ServerSideApplyTest {

    @Test
    void statusAppliedServerSideIsStoredAndKeepsTheSpec(@TempDir Path dir) throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        try (ApiEndpoint api = ApiEndpoint.embedded(0, dir.resolve("kubeconfig"))) {
            api.installCrds(root.resolve("crds"));
            api.apply(root.resolve("samples/tiers.yaml"));
            var client = api.client();
            StorageTier stored = client.resources(StorageTier.class).withName("nvme").get();
            assertThat(stored).as("sample tier nvme").isNotNull();

            StorageTier patch = new StorageTier();
            patch.setMetadata(new ObjectMetaBuilder().withName("nvme").build());
            StorageTierStatus status = new StorageTierStatus();
            status.setNodeCount(3);
            status.setCapacityBytes(3L << 30);
            patch.setStatus(status);
            // As JOSDK patches status: PATCH .../status?fieldManager=storagetier&force=true, apply-patch+yaml.
            client.resource(patch).subresource("status").patch(new PatchContext.Builder()
                    .withPatchType(PatchType.SERVER_SIDE_APPLY).withFieldManager("storagetier").withForce(true)
                    .build());

            StorageTier after = client.resources(StorageTier.class).withName("nvme").get();
            assertThat(after.getStatus().getNodeCount()).isEqualTo(3);
            assertThat(after.getStatus().getCapacityBytes()).isEqualTo(3L << 30);
            assertThat(Serialization.asJson(after.getSpec())).as("an apply of status leaves the spec alone")
                    .isEqualTo(Serialization.asJson(stored.getSpec()));

            // Applying an object that does not exist creates it, as server-side apply does.
            StorageTier fresh = new StorageTier();
            fresh.setMetadata(new ObjectMetaBuilder().withName("scratch").build());
            fresh.setSpec(stored.getSpec());
            client.resource(fresh).fieldManager("test").forceConflicts().serverSideApply();
            assertThat(client.resources(StorageTier.class).withName("scratch").get()).isNotNull();
        }
    }

    @Test
    void aMalformedApplyIsRefusedAndChangesNothing(@TempDir Path dir) throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        try (ApiEndpoint api = ApiEndpoint.embedded(0, dir.resolve("kubeconfig"))) {
            api.installCrds(root.resolve("crds"));
            api.apply(root.resolve("samples/tiers.yaml"));
            String before = Serialization.asJson(api.client().resources(StorageTier.class).withName("nvme").get()
                    .getSpec());
            var http = java.net.http.HttpClient.newHttpClient();
            var req = java.net.http.HttpRequest.newBuilder(java.net.URI.create(api.url()
                            + "/apis/storage.prescient.dev/v1alpha1/storagetiers/nvme/status?fieldManager=x&force=true"))
                    .header("Content-Type", "application/apply-patch+yaml")
                    .method("PATCH", java.net.http.HttpRequest.BodyPublishers.ofString("status: [unclosed"))
                    .build();
            var resp = http.send(req, java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(resp.statusCode()).isEqualTo(400);
            assertThat(resp.body()).contains("neither JSON nor YAML");
            StorageTier after = api.client().resources(StorageTier.class).withName("nvme").get();
            assertThat(after.getStatus()).isNull();
            assertThat(Serialization.asJson(after.getSpec())).isEqualTo(before);
        }
    }

    @Test
    void anAppliedListReplacesTheStoredOne(@TempDir Path dir) throws Exception {
        // The operator rewrites list fields of status (forecasts, conditions) on every pass: they must not grow.
        Path root = Path.of("..").toAbsolutePath().normalize();
        try (ApiEndpoint api = ApiEndpoint.embedded(0, dir.resolve("kubeconfig"))) {
            api.installCrds(root.resolve("crds"));
            api.apply(root.resolve("samples/tiers.yaml"));
            var client = api.client();
            for (String[] types : new String[][] {{"Ready", "Degraded"}, {"Ready"}}) {
                StorageTier patch = new StorageTier();
                patch.setMetadata(new ObjectMetaBuilder().withName("nvme").build());
                StorageTierStatus status = new StorageTierStatus();
                java.util.List<dev.prescient.api.v1alpha1.common.Condition> conditions = new java.util.ArrayList<>();
                for (String t : types) {
                    var c = new dev.prescient.api.v1alpha1.common.Condition();
                    c.setType(t);
                    conditions.add(c);
                }
                status.setConditions(conditions);
                patch.setStatus(status);
                client.resource(patch).subresource("status").patch(new PatchContext.Builder()
                        .withPatchType(PatchType.SERVER_SIDE_APPLY).withFieldManager("storagetier").withForce(true)
                        .build());
            }
            StorageTier after = client.resources(StorageTier.class).withName("nvme").get();
            assertThat(after.getStatus().getConditions()).extracting(dev.prescient.api.v1alpha1.common.Condition::getType)
                    .containsExactly("Ready");
        }
    }
}
