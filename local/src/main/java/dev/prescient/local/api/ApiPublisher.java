package dev.prescient.local.api;

import dev.prescient.api.v1alpha1.common.NodeTier;
import dev.prescient.api.v1alpha1.migration.VolumeMigration;
import dev.prescient.api.v1alpha1.migration.VolumeMigrationSpec;
import dev.prescient.api.v1alpha1.migration.VolumeMigrationStatus;
import dev.prescient.api.v1alpha1.node.StorageNode;
import dev.prescient.api.v1alpha1.node.StorageNodeSpec;
import dev.prescient.api.v1alpha1.node.StorageNodeStatus;
import dev.prescient.local.runtime.MigrationRecord;
import dev.prescient.local.runtime.ScenarioRunner;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes what local mode does into the API as the operator would: a VolumeMigration per action (spec with reason
 * and explanation, status with phase, progress and pause) and a StorageNode per node with its health, so that
 * {@code kubectl get vmig,snode} shows the scenario.
 */
public final class ApiPublisher {
    private static final Logger LOG = LoggerFactory.getLogger(ApiPublisher.class);
    private final KubernetesClient client;
    private final Map<String, String> agentEndpoints;

    public ApiPublisher(KubernetesClient client, Map<String, String> agentEndpoints) {
        this.client = client;
        this.agentEndpoints = agentEndpoints;
    }

    public void publish(ScenarioRunner r) {
        try {
            r.nodes().forEach((name, s) -> {
                StorageNode n = new StorageNode();
                n.setMetadata(new ObjectMetaBuilder().withName(name).build());
                StorageNodeSpec spec = new StorageNodeSpec();
                spec.setNodeName(name);
                spec.setZone("zone-" + name);
                spec.setAgentEndpoint(agentEndpoints.get(name));
                n.setSpec(spec);
                StorageNodeStatus st = new StorageNodeStatus();
                st.setHealthScore(round(s.healthScore));
                st.setFailureProbability(round(s.failureProbability));
                n.setStatus(st);
                upsert(n);
            });
            for (MigrationRecord rec : r.migrations()) {
                VolumeMigration vm = new VolumeMigration();
                vm.setMetadata(new ObjectMetaBuilder().withName(rec.id.toLowerCase(Locale.ROOT)).build());
                VolumeMigrationSpec spec = new VolumeMigrationSpec();
                spec.setVolume(rec.action.volume());
                spec.setFrom(nodeTier(rec.action.fromNode(), rec.action.fromTier()));
                spec.setTo(nodeTier(rec.action.toNode(), rec.action.toTier()));
                spec.setReason(rec.action.reason());
                spec.setKeepSource(rec.action.kind() != dev.prescient.local.decide.Action.Kind.MIGRATE);
                spec.setExplanation(rec.action.kind() + ": " + rec.action.explanation());
                vm.setSpec(spec);
                VolumeMigrationStatus st = new VolumeMigrationStatus();
                st.setPhase(rec.phase);
                st.setProgressPercent(rec.progressPercent());
                st.setBytesMoved(rec.bytesDone);
                st.setBytesTotal(rec.bytesTotal);
                st.setPreCopyRounds(rec.preCopyRounds);
                if (rec.pauseMillis >= 0) {
                    st.setPauseMillis(round(rec.pauseMillis));
                }
                vm.setStatus(st);
                upsert(vm);
            }
        } catch (RuntimeException e) {
            // The view and the scenario do not depend on the API; a refused write is logged and retried next time.
            LOG.warn("publishing to the API failed: {}", e.getMessage());
        }
    }

    private <T extends io.fabric8.kubernetes.api.model.HasMetadata> void upsert(T o) {
        var res = client.resource(o);
        T stored = res.createOr(NonDeletingOperation::update);
        // Status is a subresource on a real API server: write it separately.
        client.resource(o).updateStatus();
        if (stored == null) {
            LOG.debug("nothing stored for {}", o.getMetadata().getName());
        }
    }

    private static NodeTier nodeTier(String node, String tier) {
        NodeTier nt = new NodeTier();
        nt.setNode(node);
        nt.setTier(tier);
        return nt;
    }

    private static double round(double d) {
        return Math.round(d * 1000) / 1000.0;
    }
}
