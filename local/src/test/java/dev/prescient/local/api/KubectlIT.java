package dev.prescient.local.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded API endpoint answers the real kubectl, with the CRDs and samples applied. */
public class KubectlIT {
    static final Path ROOT = Path.of(System.getProperty("prescient.root", ".."));

    @Test
    void kubectlListsTheCustomResources(@TempDir Path dir) throws Exception {
        Path kubeconfig = dir.resolve("kubeconfig");
        try (ApiEndpoint api = ApiEndpoint.embedded(0, kubeconfig)) {
            List<String> crds = api.installCrds(ROOT.resolve("crds"));
            assertThat(crds).contains("storagetiers.storage.prescient.dev", "volumemigrations.storage.prescient.dev");
            api.ensureNamespace("prescient-system");
            api.apply(ROOT.resolve("samples/tiers.yaml"));
            api.apply(ROOT.resolve("samples/mirror-policy.yaml"));
            api.apply(ROOT.resolve("samples/storageclass.yaml"));

            String out = kubectl(kubeconfig, "get", "stier,mpol,rvol,vmig,snode", "-o", "name");
            assertThat(out).contains("storagetier.storage.prescient.dev/nvme", "storagetier.storage.prescient.dev/hdd",
                    "mirrorpolicy.storage.prescient.dev/databases");
            assertThat(kubectl(kubeconfig, "get", "storageclass", "-o", "name"))
                    .contains("storageclass.storage.k8s.io/prescient-databases");
            assertThat(kubectl(kubeconfig, "get", "stier", "ssd", "-o", "jsonpath={.spec.rank}")).isEqualTo("1");
        }
    }

    public static String kubectl(Path kubeconfig, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("kubectl %s: %s", cmd, out).isZero();
        return out.strip();
    }
}
