package dev.prescient.local.runtime;

import dev.prescient.api.nodeagent.v1.ListReplicasRequest;
import dev.prescient.api.v1alpha1.migration.MigrationPhase;
import dev.prescient.api.v1alpha1.migration.VolumeMigration;
import dev.prescient.api.v1alpha1.node.StorageNode;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the operator and the node agents did, as local mode watches it: the VolumeMigrations the operator created
 * (with the scenario time each was first seen and each phase reached), the StorageNodes' health as the operator
 * assessed it, and every volume's replicas as the agents list them. Read-only: local mode decides nothing.
 */
public final class ClusterWatch {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterWatch.class);

    /** One VolumeMigration as last seen, with when (scenario seconds) it appeared and reached each phase. */
    public record Migration(String name, String volume, String action, String reason, String from, String to,
            boolean keepSource, String explanation, MigrationPhase phase, int progressPercent, long bytesMoved,
            Double pauseMillis, double firstSeenAt, Map<MigrationPhase, Double> phaseSeenAt) {
        public boolean done() {
            return phase != null && phase.terminal();
        }
    }

    /** A node's health as the operator's StorageNode status says. */
    public record NodeHealth(double healthScore, double failureProbability, double readLatencyP99Micros) {
    }

    private final KubernetesClient client;
    private final NodeAgentClients agents;
    private final List<String> nodes;
    private final DoubleSupplier clock;
    private final Map<String, Migration> migrations = new ConcurrentHashMap<>();
    private final Map<String, NodeHealth> health = new ConcurrentHashMap<>();
    private volatile Map<String, List<Replica>> replicasByVolume = Map.of();

    public ClusterWatch(KubernetesClient client, NodeAgentClients agents, List<String> nodes, DoubleSupplier clock) {
        this.client = client;
        this.agents = agents;
        this.nodes = List.copyOf(nodes);
        this.clock = clock;
    }

    /** Reads everything once; a component that does not answer is skipped until the next time. */
    public void refresh() {
        double now = clock.getAsDouble();
        try {
            for (VolumeMigration vm : client.resources(VolumeMigration.class).list().getItems()) {
                observe(vm, now);
            }
            for (StorageNode n : client.resources(StorageNode.class).list().getItems()) {
                var s = n.getStatus();
                if (s != null && s.getHealthScore() != null) {
                    double lat = s.getHealth() == null || s.getHealth().getReadLatencyP99Micros() == null ? 0
                            : s.getHealth().getReadLatencyP99Micros();
                    health.put(n.getMetadata().getName(), new NodeHealth(s.getHealthScore(),
                            s.getFailureProbability() == null ? 0 : s.getFailureProbability(), lat));
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("reading the API failed: {}", e.getMessage());
        }
        Map<String, List<Replica>> byVolume = new HashMap<>();
        for (String node : nodes) {
            try {
                for (var r : agents.stub(node).listReplicas(ListReplicasRequest.getDefaultInstance()).getReplicasList()) {
                    byVolume.computeIfAbsent(r.getVolumeId(), k -> new ArrayList<>()).add(new Replica(node, r.getTier(),
                            r.getReplicaId(), r.getNbdEndpoint(), stateName(r.getState().name())));
                }
            } catch (RuntimeException e) {
                LOG.debug("agent {} did not list replicas: {}", node, e.getMessage());
                // Keep what this node had: a slow agent must not make replicas vanish from the view.
                replicasByVolume.forEach((v, rs) -> rs.stream().filter(r -> r.node().equals(node))
                        .forEach(r -> byVolume.computeIfAbsent(v, k -> new ArrayList<>()).add(r)));
            }
        }
        byVolume.values().forEach(l -> l.sort(Comparator.comparing(Replica::node).thenComparing(Replica::tier)));
        replicasByVolume = byVolume;
    }

    private void observe(VolumeMigration vm, double now) {
        String name = vm.getMetadata().getName();
        var spec = vm.getSpec();
        var st = vm.getStatus();
        Migration before = migrations.get(name);
        Map<MigrationPhase, Double> seen = before == null ? new LinkedHashMap<>() : new LinkedHashMap<>(before.phaseSeenAt());
        MigrationPhase phase = st == null || st.getPhase() == null ? MigrationPhase.Pending : st.getPhase();
        seen.putIfAbsent(phase, now);
        Map<String, String> labels = vm.getMetadata().getLabels();
        String action = labels == null ? "" : labels.getOrDefault("storage.prescient.dev/action", "");
        migrations.put(name, new Migration(name, spec.getVolume(), action,
                spec.getReason() == null ? "" : spec.getReason().name(),
                spec.getFrom() == null ? "" : spec.getFrom().getNode() + "/" + spec.getFrom().getTier(),
                spec.getTo() == null ? "" : spec.getTo().getNode() + "/" + spec.getTo().getTier(),
                Boolean.TRUE.equals(spec.getKeepSource()), spec.getExplanation() == null ? "" : spec.getExplanation(),
                phase, st == null || st.getProgressPercent() == null ? 0 : st.getProgressPercent(),
                st == null || st.getBytesMoved() == null ? 0 : st.getBytesMoved(),
                st == null ? null : st.getPauseMillis(), before == null ? now : before.firstSeenAt(), seen));
    }

    static String stateName(String protoName) {
        String s = protoName.replace("REPLICA_STATE_", "").toLowerCase(java.util.Locale.ROOT);
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    /** Every migration seen so far, oldest first. */
    public List<Migration> migrations() {
        List<Migration> out = new ArrayList<>(migrations.values());
        out.sort(Comparator.comparingDouble(Migration::firstSeenAt).thenComparing(Migration::name));
        return out;
    }

    public Map<String, NodeHealth> health() {
        return Map.copyOf(health);
    }

    public List<Replica> replicas(String volumeId) {
        return replicasByVolume.getOrDefault(volumeId, List.of());
    }
}
