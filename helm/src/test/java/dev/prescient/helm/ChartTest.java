package dev.prescient.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import dev.prescient.api.testing.CrdSchema;
import dev.prescient.api.testing.RepoFiles;
import dev.prescient.api.v1alpha1.ApiGroup;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The chart, linted and rendered by real Helm (helm-java embeds Helm 3), checked object by object. */
class ChartTest {

    static final Path CHART = RepoFiles.root().resolve("helm/prescient");

    static List<JsonNode> render(Map<String, Object> values) throws Exception {
        var cmd = new Helm(CHART).template().withName("prescient").withNamespace("prescient-system")
                .withKubeVersion("1.30.0");
        values.forEach(cmd::set);
        String out = cmd.call();
        List<JsonNode> docs = new ArrayList<>();
        for (JsonNode n : RepoFiles.YAML.readerFor(JsonNode.class).readValues(out).readAll().stream()
                .map(JsonNode.class::cast).toList()) {
            if (n != null && !n.isNull() && n.has("kind")) {
                docs.add(n);
            }
        }
        return docs;
    }

    static JsonNode one(List<JsonNode> docs, String kind, String name) {
        List<JsonNode> found = docs.stream()
                .filter(d -> d.path("kind").asText().equals(kind) && d.at("/metadata/name").asText().equals(name)).toList();
        assertThat(found).as("%s/%s rendered once", kind, name).hasSize(1);
        return found.get(0);
    }

    static List<String> containers(JsonNode workload) {
        List<String> names = new ArrayList<>();
        workload.at("/spec/template/spec/containers").forEach(c -> names.add(c.path("name").asText()));
        return names;
    }

    @Test
    void theDataPathLivesInADaemonSetThatPluginUpgradesDoNotTouch() throws Exception {
        List<JsonNode> docs = render(Map.of());
        JsonNode dataplane = one(docs, "DaemonSet", "prescient-dataplane");
        assertThat(dataplane.at("/spec/updateStrategy/type").asText()).as("only deleted pods are replaced").isEqualTo("OnDelete");
        JsonNode spec = dataplane.at("/spec/template/spec");
        assertThat(spec.path("hostPID").asBoolean()).isTrue();
        assertThat(spec.path("hostNetwork").asBoolean()).as("engines listen on the node's address").isTrue();
        JsonNode keeper = spec.at("/containers/0");
        assertThat(keeper.path("args").toString()).contains("--mode=keeper",
                "--keeper-socket=/var/lib/prescient/keeper/keeper.sock");
        assertThat(keeper.path("volumeMounts").toString()).contains("Bidirectional")
                .as("engines and relays read the node certificate where the plugin names it").contains("/etc/prescient/tls");
        assertThat(spec.path("volumes").toString()).contains("\"secretName\":\"prescient-tls\"");

        JsonNode node = one(docs, "DaemonSet", "prescient-csi-node");
        assertThat(node.at("/spec/template/spec/hostPID").asBoolean()).as("finds the keeper's processes by pid").isTrue();
        assertThat(node.at("/spec/template/spec/containers/0/args").toString())
                .contains("--keeper-socket=/var/lib/prescient/keeper/keeper.sock");

        List<JsonNode> off = render(Map.of("csi.node.dataPlane.enabled", false));
        assertThat(off).noneMatch(d -> d.at("/metadata/name").asText().equals("prescient-dataplane"));
        JsonNode plugin = one(off, "DaemonSet", "prescient-csi-node");
        assertThat(plugin.at("/spec/template/spec/hostPID").asBoolean()).isFalse();
        assertThat(plugin.at("/spec/template/spec/containers/0/args").toString()).doesNotContain("--keeper-socket");
    }

    @Test
    void lintsCleanly() {
        LintResult r = new Helm(CHART).lint().strict().call();
        assertThat(r.isFailed()).as("helm lint --strict: %s", r.getMessages()).isFalse();
    }

    @Test
    void rendersTheDriverWithEverySidecar() throws Exception {
        List<JsonNode> docs = render(Map.of());
        JsonNode driver = one(docs, "CSIDriver", ApiGroup.DRIVER_NAME);
        assertThat(driver.at("/spec/podInfoOnMount").asBoolean()).as("pod identity reaches the engine").isTrue();
        assertThat(driver.at("/spec/attachRequired").asBoolean()).isTrue();

        JsonNode controller = one(docs, "Deployment", "prescient-csi-controller");
        assertThat(containers(controller)).containsExactlyInAnyOrder(
                "csi-driver", "csi-provisioner", "csi-attacher", "csi-resizer", "liveness-probe");
        assertThat(controller.at("/spec/template/spec/containers/0/args").toString()).contains("--mode=controller")
                .as("node agents are discovered from StorageNodes, not listed").doesNotContain("--node-agents");

        JsonNode node = one(docs, "DaemonSet", "prescient-csi-node");
        assertThat(containers(node)).containsExactlyInAnyOrder("csi-driver", "node-driver-registrar", "liveness-probe");
        JsonNode plugin = node.at("/spec/template/spec/containers/0");
        assertThat(plugin.at("/securityContext/privileged").asBoolean()).isTrue();
        assertThat(plugin.path("args").toString())
                .contains("--mode=node", "--tier=nvme=/var/lib/prescient/nvme", "--tier=hdd=/var/lib/prescient/hdd")
                .as("each plugin registers the StorageNode the controller discovers it by")
                .contains("--register-storage-node", "--agent-advertise=$(NODE_IP):", "--nbd-bind=$(NODE_IP)");
        assertThat(plugin.path("env").toString()).contains("status.hostIP");
        assertThat(plugin.path("args").toString()).as("the node agent serves its metrics").contains("--metrics-listen=0.0.0.0:9610");
        assertThat(plugin.path("ports").toString()).contains("\"name\":\"metrics\"", "\"containerPort\":9610");
        assertThat(one(docs, "ClusterRole", "prescient-csi-node").path("rules").toString())
                .contains("storagenodes", "create", "nodes");
        assertThat(one(docs, "ClusterRole", "prescient-csi-controller").path("rules").toString())
                .contains("storagenodes", "watch");
        assertThat(plugin.path("volumeMounts").toString()).contains("Bidirectional");
        assertThat(node.at("/spec/template/spec/containers/1/args").toString())
                .contains("/var/lib/kubelet/plugins/csi.prescient.dev/csi.sock");

        JsonNode operator = one(docs, "Deployment", "prescient-operator");
        assertThat(operator.at("/spec/replicas").asInt()).as("a standby for leader election").isEqualTo(2);
        assertThat(operator.at("/spec/template/spec/containers/0/readinessProbe/httpGet/path").asText()).isEqualTo("/q/health/ready");

        JsonNode sc = one(docs, "StorageClass", "prescient");
        assertThat(sc.path("provisioner").asText()).isEqualTo(ApiGroup.DRIVER_NAME);
        assertThat(sc.at("/parameters/mirrorPolicy").asText()).isEqualTo("default");
        // The generated certificate is a pre-install hook, which `helm template` leaves out; every
        // component must mount it under the name the hook creates.
        for (JsonNode w : List.of(controller, node, operator)) {
            assertThat(w.at("/spec/template/spec/volumes").toString()).contains("\"secretName\":\"prescient-tls\"");
        }
        one(docs, "ClusterRole", "prescient-operator");
    }

    @Test
    void defaultTiersAndPolicyPassTheCrdSchema() throws Exception {
        Map<String, CrdSchema> schemas = CrdSchema.all();
        List<JsonNode> prescient = render(Map.of()).stream()
                .filter(d -> d.path("apiVersion").asText().startsWith(ApiGroup.GROUP)).toList();
        assertThat(prescient.stream().map(d -> d.path("kind").asText()).collect(Collectors.toList()))
                .containsExactlyInAnyOrder("StorageTier", "StorageTier", "StorageTier", "MirrorPolicy");
        for (JsonNode d : prescient) {
            assertThat(schemas.get(d.path("kind").asText()).validateCreate(d)).as(d.toString()).isEmpty();
        }
    }

    @Test
    void valuesSwitchPartsOnAndOff() throws Exception {
        List<JsonNode> docs = render(Map.of("storageClass.create", false, "tls.existingSecret", "my-certs",
                "metrics.serviceMonitor.enabled", true, "metrics.prometheusRule.enabled", true,
                "defaults.createTiers", false, "defaults.createPolicy", false));
        assertThat(docs).noneMatch(d -> d.path("kind").asText().equals("StorageClass"));
        assertThat(docs).noneMatch(d -> d.path("kind").asText().equals("Secret"));
        assertThat(docs).noneMatch(d -> d.path("apiVersion").asText().startsWith(ApiGroup.GROUP));
        one(docs, "ServiceMonitor", "prescient-operator");
        assertThat(one(docs, "PodMonitor", "prescient-csi-node").at("/spec/podMetricsEndpoints/0/port").asText())
                .isEqualTo("metrics");
        one(docs, "PrometheusRule", "prescient");
        assertThat(one(docs, "DaemonSet", "prescient-csi-node").toString()).contains("my-certs");
    }

    static String renderError(Map<String, Object> values) {
        try {
            render(values);
        } catch (Exception e) {
            return e.getMessage();
        }
        return null;
    }

    @Test
    void theOperatorFindsItsNamespaceTlsAndAWritableTmp() throws Exception {
        List<JsonNode> docs = render(Map.of());
        JsonNode c = one(docs, "Deployment", "prescient-operator").at("/spec/template/spec/containers/0");
        String env = c.path("env").toString();
        // Quarkus maps PRESCIENT_AGENT_TLS_CERTIFICATE to prescient.agent.tls.certificate (read by OperatorBeans).
        assertThat(env).contains("PRESCIENT_AGENT_TLS_CERTIFICATE", "PRESCIENT_AGENT_TLS_KEY", "PRESCIENT_AGENT_TLS_CA")
                .doesNotContain("PRESCIENT_AGENT_TLS_CERT\"");
        assertThat(env).as("leader election and model state in the release's namespace").contains("POD_NAMESPACE", "metadata.namespace");
        assertThat(c.at("/securityContext/readOnlyRootFilesystem").asBoolean()).isTrue();
        assertThat(c.at("/securityContext/runAsUser").asInt()).as("numeric non-root user").isEqualTo(65532);
        assertThat(c.path("volumeMounts").toString()).contains("\"mountPath\":\"/tmp\"");
        assertThat(one(docs, "Deployment", "prescient-operator").at("/spec/template/spec/volumes").toString()).contains("emptyDir");
    }

    @Test
    void theCsiControllerMayKeepSnapshotRecordsInConfigMapsOfItsNamespace() throws Exception {
        List<JsonNode> docs = render(Map.of());
        JsonNode role = one(docs, "Role", "prescient-csi-controller");
        assertThat(role.at("/metadata/namespace").asText()).isEqualTo("prescient-system");
        assertThat(role.path("rules").toString()).contains("configmaps", "create", "delete");
        assertThat(one(docs, "RoleBinding", "prescient-csi-controller").at("/subjects/0/name").asText())
                .isEqualTo("prescient-csi-controller");
    }

    @Test
    void defaultTiersKeepTheirRanksIncludingZero() throws Exception {
        Map<String, Integer> ranks = new java.util.HashMap<>();
        render(Map.of()).stream().filter(d -> d.path("kind").asText().equals("StorageTier"))
                .forEach(t -> ranks.put(t.at("/metadata/name").asText(), t.at("/spec/rank").asInt(-1)));
        assertThat(ranks).containsExactlyInAnyOrderEntriesOf(Map.of("nvme", 0, "ssd", 1, "hdd", 2));
    }

    @Test
    void snapshotsFollowTheClusterOrTheSwitch() throws Exception {
        // helm template knows no cluster APIs: "auto" leaves the snapshotter out, "true" refuses with what to install.
        assertThat(containers(one(render(Map.of()), "Deployment", "prescient-csi-controller"))).doesNotContain("csi-snapshotter");
        assertThat(render(Map.of()).stream().map(d -> d.path("kind").asText())).doesNotContain("VolumeSnapshotClass");
        assertThat(containers(one(render(Map.of("snapshots.enabled", false)), "Deployment", "prescient-csi-controller")))
                .doesNotContain("csi-snapshotter");
        assertThat(renderError(Map.of("snapshots.enabled", true)))
                .contains("does not serve snapshot.storage.k8s.io/v1", "snapshot-controller");
    }

    @Test
    void certManagerIssuesTheAgentCertificateWhenAsked() throws Exception {
        List<JsonNode> own = render(Map.of("tls.certManager.enabled", true));
        JsonNode cert = one(own, "Certificate", "prescient-tls");
        assertThat(cert.at("/spec/secretName").asText()).isEqualTo("prescient-tls");
        assertThat(cert.at("/spec/dnsNames").toString()).contains("prescient-node-agent");
        assertThat(cert.at("/spec/usages").toString()).contains("server auth", "client auth");
        assertThat(cert.at("/spec/issuerRef/name").asText()).isEqualTo("prescient-ca");
        one(own, "Issuer", "prescient-selfsigned");
        assertThat(one(own, "Certificate", "prescient-ca").at("/spec/isCA").asBoolean()).isTrue();
        assertThat(own).noneMatch(d -> d.path("kind").asText().equals("Secret"));

        List<JsonNode> given = render(Map.of("tls.certManager.enabled", true, "tls.certManager.issuerRef.name", "corp-ca",
                "tls.certManager.issuerRef.kind", "ClusterIssuer"));
        assertThat(one(given, "Certificate", "prescient-tls").at("/spec/issuerRef").toString()).contains("corp-ca", "ClusterIssuer");
        assertThat(given).noneMatch(d -> d.path("kind").asText().equals("Issuer"));
    }

    @Test
    void theSchemaRefusesMalformedValuesWithTheirPath() {
        assertThat(renderError(Map.of("operator.replicas", 0))).contains("/operator/replicas", "minimum: got 0, want 1");
        assertThat(renderError(Map.of("storageClass.fsType", "ntfs"))).contains("/storageClass/fsType");
        assertThat(renderError(Map.of("csi.node.agentPort", 70000))).contains("/csi/node/agentPort");
        assertThat(renderError(Map.of("csi.kubeletDir", "relative/dir"))).contains("/csi/kubeletDir");
        assertThat(renderError(Map.of("snapshots.enabled", "maybe"))).contains("/snapshots/enabled");
        assertThat(renderError(Map.of("operator.replica", 2))).as("a misspelt key").contains("replica");
        assertThat(renderError(Map.of("tls.certManager.issuerRef.kind", "Vault"))).contains("/tls/certManager/issuerRef/kind");
        assertThat(renderError(Map.of())).isNull();
    }
}
