package dev.prescient.csi.controller;

import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * Read-modify-write against the API server with optimistic locking: a 409 means someone else (the operator writing
 * the volume's status) wrote in between, so the whole read-modify-write runs again on the newer object.
 */
final class OnConflict {
    static final int ATTEMPTS = 5;

    private OnConflict() {
    }

    static void retry(Runnable readModifyWrite) {
        for (int attempt = 1; ; attempt++) {
            try {
                readModifyWrite.run();
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == ATTEMPTS) {
                    throw e;
                }
            }
        }
    }
}
