package dev.prescient.operator.reconcile;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Test helpers around the fabric8 mock API server: the real CRDs from crds/ and a plain JOSDK operator. */
final class MockCluster {

    private MockCluster() {
    }

    static Path crdDir() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("crds"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("crds/ not found above " + Path.of("").toAbsolutePath());
        }
        return p.resolve("crds");
    }

    /** Installs every CRD under crds/ into the server; returns how many. */
    static int installCrds(KubernetesClient client) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(crdDir())) {
            files = s.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        }
        for (Path f : files) {
            try (InputStream in = Files.newInputStream(f)) {
                CustomResourceDefinition crd = client.getKubernetesSerialization().unmarshal(in,
                        CustomResourceDefinition.class);
                client.apiextensions().v1().customResourceDefinitions().resource(crd).createOr(c -> c.update());
            }
        }
        return files.size();
    }

    /** A JOSDK operator on the mock client; status patched with merge patch (the mock server answers SSA with 415). */
    static Operator start(KubernetesClient client, Reconciler<?>... reconcilers) {
        Operator op = new Operator(o -> o.withKubernetesClient(client).withUseSSAToPatchPrimaryResource(false)
                .withCloseClientOnStop(false).withStopOnInformerErrorDuringStartup(true));
        for (Reconciler<?> r : reconcilers) {
            op.register(r);
        }
        op.start();
        return op;
    }
}
