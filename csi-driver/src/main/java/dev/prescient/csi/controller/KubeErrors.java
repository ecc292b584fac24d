package dev.prescient.csi.controller;

import dev.prescient.csi.CsiException;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.grpc.Status;

/**
 * What a failed Kubernetes API call means for a CSI caller: a status the sidecars act on (retry
 * when the API is away, stop when it refuses) and a message that says what to fix, instead of
 * INTERNAL with the client's exception.
 */
public final class KubeErrors {
    private KubeErrors() {
    }

    /** @param what the call, as a person would say it ("read ReplicatedVolume pv-1") */
    public static CsiException toCsi(String what, KubernetesClientException e) {
        int code = e.getCode();
        String detail = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage()
                : e.getCause() != null ? e.getCause().toString() : e.getMessage();
        // No HTTP answer at all (connection refused, DNS, TLS, timeout): the client reports code -1 or 0.
        return switch (Math.max(code, 0)) {
            case 0 -> new CsiException(Status.Code.UNAVAILABLE, "KubernetesApiUnreachable", "cannot " + what
                    + ": the Kubernetes API did not answer (check --kubeconfig, KUBECONFIG or the in-cluster"
                    + " service account): " + detail, e);
            case 401, 403 -> new CsiException(Status.Code.PERMISSION_DENIED, "KubernetesApiForbidden", "cannot "
                    + what + ": the Kubernetes API refused the controller's credentials (" + code + "); check its"
                    + " RBAC: " + detail, e);
            case 404 -> new CsiException(Status.Code.FAILED_PRECONDITION, "KubernetesResourceTypeMissing", "cannot "
                    + what + ": the API does not know the resource type; are the CRDs applied"
                    + " (kubectl apply -f crds/) and does the namespace exist? " + detail, e);
            case 409 -> new CsiException(Status.Code.ABORTED, "KubernetesConflict", "cannot " + what
                    + ": changed concurrently, retry: " + detail, e);
            case 429, 500, 502, 503, 504 -> new CsiException(Status.Code.UNAVAILABLE, "KubernetesApiUnavailable",
                    "cannot " + what + ": the Kubernetes API answered " + code + ": " + detail, e);
            default -> new CsiException(Status.Code.INTERNAL, "KubernetesApiError", "cannot " + what
                    + ": the Kubernetes API answered " + code + ": " + detail, e);
        };
    }
}
