package dev.prescient.operator.reconcile;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes Kubernetes Events for decisions and failures. The resources are cluster-scoped, so their Events go
 * to the operator's namespace. An Event that cannot be written is logged, never fatal: it is a report, not state.
 */
public final class KubeEvents {

    private static final Logger LOG = Logger.getLogger(KubeEvents.class);

    private final KubernetesClient client;
    private final String namespace;
    private final Clock clock;

    public KubeEvents(KubernetesClient client, String namespace, Clock clock) {
        this.client = client;
        this.namespace = namespace;
        this.clock = clock;
    }

    public void normal(HasMetadata about, String reason, String message) {
        record(about, "Normal", reason, message);
    }

    public void warning(HasMetadata about, String reason, String message) {
        record(about, "Warning", reason, message);
    }

    private void record(HasMetadata about, String type, String reason, String message) {
        String kind = about.getKind();
        String name = about.getMetadata().getName();
        LOG.infof("%s/%s: %s %s: %s", kind, name, type, reason, message);
        String now = clock.instant().toString();
        try {
            client.v1().events().inNamespace(namespace).resource(new EventBuilder()
                    .withNewMetadata()
                    .withName(name + "." + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE))
                    .withNamespace(namespace).endMetadata()
                    .withNewInvolvedObject().withApiVersion(about.getApiVersion()).withKind(kind).withName(name)
                    .withUid(about.getMetadata().getUid()).endInvolvedObject()
                    .withType(type).withReason(reason)
                    .withMessage(message.length() > 1024 ? message.substring(0, 1024) : message)
                    .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
                    .withNewSource().withComponent("prescient-operator").endSource()
                    .build()).create();
        } catch (KubernetesClientException e) {
            LOG.warnf("%s/%s: could not write Event %s: %s", kind, name, reason.toLowerCase(Locale.ROOT),
                    e.getMessage());
        }
    }
}
