package dev.prescient.operator.act;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes Kubernetes Events for decisions and failures. An Event lives in its object's namespace; the API server
 * accepts an Event about a cluster-scoped object (all of ours) only in {@code default} (any other namespace is
 * refused with 422, "does not match event.namespace"), which is also where {@code kubectl describe} looks.
 * An Event that cannot be written is logged, never fatal: it is a report, not state.
 */
public final class KubeEvents {

    private static final Logger LOG = Logger.getLogger(KubeEvents.class);

    static final String CLUSTER_SCOPED_EVENTS = "default";

    private final KubernetesClient client;
    private final Clock clock;

    public KubeEvents(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    /** The namespace an Event about {@code about} must be written to. */
    static String eventNamespace(HasMetadata about) {
        String ns = about.getMetadata().getNamespace();
        return ns == null || ns.isEmpty() ? CLUSTER_SCOPED_EVENTS : ns;
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
        String namespace = eventNamespace(about);
        try {
            client.v1().events().inNamespace(namespace).resource(new EventBuilder()
                    .withNewMetadata()
                    .withName(name + "." + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE))
                    .withNamespace(namespace).endMetadata()
                    .withNewInvolvedObject().withApiVersion(about.getApiVersion()).withKind(kind).withName(name)
                    .withNamespace(about.getMetadata().getNamespace())
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
