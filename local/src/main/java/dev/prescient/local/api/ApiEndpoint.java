package dev.prescient.local.api;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.stream.Stream;

/**
 * The Kubernetes API the local components talk to: either an embedded fabric8 mock server in CRUD mode, served
 * over plain HTTP on a loopback port, or the cluster a given kubeconfig names. Writes a kubeconfig for both so
 * that kubectl and the child processes find it the same way.
 */
public final class ApiEndpoint implements AutoCloseable {
    private static final java.util.logging.Logger QUIET = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");
    private final KubernetesMockServer server;
    private final DiscoveryDispatcher discovery;
    private final KubernetesClient client;
    private final String url;
    private final Path kubeconfig;

    private ApiEndpoint(KubernetesMockServer server, DiscoveryDispatcher discovery, KubernetesClient client,
            String url, Path kubeconfig) {
        this.server = server;
        this.discovery = discovery;
        this.client = client;
        this.url = url;
        this.kubeconfig = kubeconfig;
    }

    /** Starts the embedded server on {@code port} (0 = any free port) and writes {@code kubeconfig}. */
    public static ApiEndpoint embedded(int port, Path kubeconfig) throws IOException {
        // The mock server logs every request at INFO through java.util.logging; a busy scenario drowns the console.
        QUIET.setLevel(java.util.logging.Level.WARNING);
        DiscoveryDispatcher discovery = new DiscoveryDispatcher(new KubernetesCrudDispatcher(List.of()));
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                discovery, false);
        server.init(InetAddress.getLoopbackAddress(), port);
        String url = "http://127.0.0.1:" + server.getPort();
        Files.createDirectories(kubeconfig.toAbsolutePath().getParent());
        Files.writeString(kubeconfig, kubeconfigYaml(url));
        KubernetesClient client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(
                Files.readString(kubeconfig))).build();
        return new ApiEndpoint(server, discovery, client, url, kubeconfig);
    }

    /** Uses an existing cluster; nothing is started and nothing written. */
    public static ApiEndpoint external(Path kubeconfig) throws IOException {
        Config config = Config.fromKubeconfig(Files.readString(kubeconfig));
        KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
        return new ApiEndpoint(null, null, client, config.getMasterUrl(), kubeconfig);
    }

    static String kubeconfigYaml(String url) {
        return """
                apiVersion: v1
                kind: Config
                clusters:
                - name: prescient-local
                  cluster:
                    server: %s
                users:
                - name: prescient-local
                  user:
                    token: local
                contexts:
                - name: prescient-local
                  context:
                    cluster: prescient-local
                    user: prescient-local
                    namespace: prescient-system
                current-context: prescient-local
                """.formatted(url);
    }

    /** Creates (or replaces) every CRD found in {@code crdDir}; returns their names. */
    public List<String> installCrds(Path crdDir) throws IOException {
        List<String> names = new ArrayList<>();
        try (Stream<Path> files = Files.list(crdDir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                try (InputStream in = Files.newInputStream(f)) {
                    var crd = client.apiextensions().v1().customResourceDefinitions().load(in).item();
                    client.resource(crd).createOr(existing -> existing.update());
                    if (discovery != null) {
                        discovery.register(crd);
                    }
                    names.add(crd.getMetadata().getName());
                }
            }
        }
        return names;
    }

    public void ensureNamespace(String name) {
        if (client.namespaces().withName(name).get() == null) {
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
                    .create();
        }
    }

    /** Applies every object of a multi-document YAML file (create, or update when it exists). */
    public List<HasMetadata> apply(Path yaml) throws IOException {
        List<HasMetadata> applied = new ArrayList<>();
        try (InputStream in = Files.newInputStream(yaml)) {
            for (HasMetadata o : client.load(in).items()) {
                applied.add(client.resource(o).createOr(existing -> existing.update()));
            }
        }
        return applied;
    }

    public KubernetesClient client() {
        return client;
    }

    public String url() {
        return url;
    }

    public Path kubeconfig() {
        return kubeconfig;
    }

    public boolean embedded() {
        return server != null;
    }

    @Override
    public void close() {
        client.close();
        if (server != null) {
            server.destroy();
        }
    }
}
