package dev.prescient.csi.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prescient.csi.CsiException;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.grpc.Status;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/**
 * A Kubernetes API that is away, refuses, or lacks the CRDs: the registry answers a CSI status
 * the sidecars act on and a message that says what to fix, not INTERNAL with the client's exception.
 */
@EnableKubernetesMockClient
class KubeVolumeRegistryErrorsMockTest {
    KubernetesMockServer server;
    KubernetesClient client;

    static final String RVOLS = "/apis/storage.prescient.dev/v1alpha1/replicatedvolumes";

    @Test
    void anApiThatDoesNotAnswerIsUnavailable() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        try (KubernetesClient away = new KubernetesClientBuilder().withConfig(new ConfigBuilder()
                .withMasterUrl("https://127.0.0.1:" + closed).withRequestRetryBackoffLimit(0).build()).build()) {
            KubeVolumeRegistry r = new KubeVolumeRegistry(away, "prescient-system");
            assertThatThrownBy(() -> r.volume("pv-1")).isInstanceOfSatisfying(CsiException.class, e -> {
                assertThat(e.code()).isEqualTo(Status.Code.UNAVAILABLE);
                assertThat(e.getMessage()).startsWith("cannot read ReplicatedVolume pv-1: the Kubernetes API did not"
                        + " answer (check --kubeconfig");
            });
            assertThat(r.notReadyReason()).get().asString().startsWith("Kubernetes API not usable");
        }
    }

    @Test
    void refusedCredentialsAndAMissingCrdSaySo() {
        server.expect().get().withPath(RVOLS + "/pv-1").andReturn(403, new StatusBuilder().withCode(403)
                .withMessage("replicatedvolumes is forbidden: User \"system:serviceaccount:x:y\" cannot get").build())
                .once();
        server.expect().get().withPath(RVOLS).andReturn(404, new StatusBuilder().withCode(404)
                .withMessage("the server could not find the requested resource").build()).once();
        KubeVolumeRegistry r = new KubeVolumeRegistry(client, "prescient-system");
        assertThatThrownBy(() -> r.volume("pv-1")).isInstanceOfSatisfying(CsiException.class, e -> {
            assertThat(e.code()).isEqualTo(Status.Code.PERMISSION_DENIED);
            assertThat(e.getMessage()).contains("refused the controller's credentials (403)", "check its RBAC",
                    "cannot get");
        });
        assertThatThrownBy(r::volumes).isInstanceOfSatisfying(CsiException.class, e -> {
            assertThat(e.code()).isEqualTo(Status.Code.FAILED_PRECONDITION);
            assertThat(e.getMessage()).contains("cannot list ReplicatedVolumes", "kubectl apply -f crds/");
        });
    }

    @Test
    void codesMapToWhatTheSidecarsDo() {
        record Case(int http, Status.Code code) {
        }
        for (Case c : new Case[] {new Case(-1, Status.Code.UNAVAILABLE), new Case(0, Status.Code.UNAVAILABLE), new Case(401, Status.Code.PERMISSION_DENIED),
            new Case(409, Status.Code.ABORTED), new Case(429, Status.Code.UNAVAILABLE),
            new Case(503, Status.Code.UNAVAILABLE), new Case(422, Status.Code.INTERNAL)}) {
            CsiException e = KubeErrors.toCsi("write ReplicatedVolume pv-1",
                    new KubernetesClientException("boom", c.http(), null));
            assertThat(e.code()).as("HTTP " + c.http()).isEqualTo(c.code());
            assertThat(e.getMessage()).startsWith("cannot write ReplicatedVolume pv-1: ");
        }
    }
}
