package dev.prescient.operator.reconcile;

import dev.prescient.operator.act.KubeEvents;
import dev.prescient.api.v1alpha1.node.StorageNode;
import dev.prescient.api.v1alpha1.node.StorageNodeSpec;
import dev.prescient.api.v1alpha1.node.StorageNodeStatus;
import dev.prescient.api.v1alpha1.volume.ReplicatedVolume;
import dev.prescient.api.v1alpha1.volume.ReplicatedVolumeSpec;
import dev.prescient.operator.act.MigrationCreator;
import dev.prescient.operator.act.PlannerActions;
import dev.prescient.operator.agent.InMemoryNodeAgents;
import dev.prescient.operator.observe.ClusterReads;
import dev.prescient.operator.observe.Observer;
import dev.prescient.operator.observe.TelemetrySweep;
import dev.prescient.operator.metrics.OperatorMetrics;
import dev.prescient.operator.agent.ReplicaInventory;
import dev.prescient.operator.plan.OperatorLimits;
import dev.prescient.operator.loop.PlannerLoop;
import dev.prescient.operator.plan.VolumeInsights;
import dev.prescient.operator.telemetry.VolumeForecasts;
import dev.prescient.operator.telemetry.AffinityProfiles;
import dev.prescient.operator.act.ModelStateStore;
import dev.prescient.operator.telemetry.NodeHealthModel;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/** A cluster of StorageNodes with in-memory agents and ReplicatedVolumes with one replica each, in a mock server. */
public final class PlannerFixture {

    public final KubernetesClient client;
    public final InMemoryNodeAgents agents = new InMemoryNodeAgents();
    public final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    /** The health model of the last loop made, to see false alarms feed the adaptive threshold. */
    public NodeHealthModel health;
    /** The act layer of the last loop made (the driver's Events go through it). */
    public PlannerActions actions;

    public PlannerFixture(KubernetesClient client) {
        this.client = client;
    }

    public static String node(int i) {
        return String.format("node-%03d", i);
    }

    public void nodes(int n) {
        for (int i = 0; i < n; i++) {
            agents.add(node(i), "zone-" + (i % 3), Map.of("ssd", 1L << 40, "nvme", 1L << 39, "hdd", 1L << 41));
            StorageNode sn = new StorageNode();
            sn.setMetadata(new ObjectMetaBuilder().withName(node(i)).build());
            StorageNodeSpec spec = new StorageNodeSpec();
            spec.setNodeName(node(i));
            spec.setZone("zone-" + (i % 3));
            spec.setAgentEndpoint(node(i) + ":9601");
            spec.setCordoned(false);
            sn.setSpec(spec);
            client.resource(sn).create();
        }
    }

    /** Volume i lives on node i % nodes, on ssd, with {@code bytes} of data. */
    public void volumes(int n, int nodes, int bytes, String policy) {
        for (int i = 0; i < n; i++) {
            String name = String.format("pv-%05d", i);
            agents.agent(node(i % nodes)).putReplica(name + "-0", name, "ssd", new byte[bytes]);
            agents.setActiveReplica(name, name + "-0");
            createVolume(client, name, policy);
        }
    }

    /** A 1 GiB, one-replica ReplicatedVolume of {@code policy} starting on ssd. */
    static void createVolume(KubernetesClient client, String name, String policy) {
        ReplicatedVolume v = new ReplicatedVolume();
        v.setMetadata(new ObjectMetaBuilder().withName(name).build());
        ReplicatedVolumeSpec s = new ReplicatedVolumeSpec();
        s.setCapacityBytes(1L << 30);
        s.setPolicy(policy);
        s.setInitialTier("ssd");
        s.setReplicas(1);
        v.setSpec(s);
        client.resource(v).create();
    }

    public void setFailureProbability(String node, double p) {
        StorageNode sn = client.resources(StorageNode.class).withName(node).get();
        StorageNodeStatus st = sn.getStatus() == null ? new StorageNodeStatus() : sn.getStatus();
        st.setFailureProbability(p);
        st.setFailureConfidence(0.9);
        sn.setStatus(st);
        client.resource(sn).updateStatus();
    }

    /** The node's failure model has not alerted since {@code since} (EvacuationRecommended False from then on). */
    public void calmSince(String node, java.time.Instant since) {
        StorageNode sn = client.resources(StorageNode.class).withName(node).get();
        StorageNodeStatus st = sn.getStatus() == null ? new StorageNodeStatus() : sn.getStatus();
        dev.prescient.api.v1alpha1.common.Condition c = new dev.prescient.api.v1alpha1.common.Condition();
        c.setType("EvacuationRecommended");
        c.setStatus(dev.prescient.api.v1alpha1.common.ConditionStatus.False);
        c.setReason("NotNeeded");
        c.setLastTransitionTime(since.toString());
        st.setConditions(new java.util.ArrayList<>(java.util.List.of(c)));
        sn.setStatus(st);
        client.resource(sn).updateStatus();
    }

    public PlannerLoop loop(String namespace) {
        return loop(namespace, Clock.systemUTC(), OperatorLimits.none(), VolumeForecasts.Config.defaults());
    }

    public PlannerLoop loop(String namespace, Clock clock, OperatorLimits limits, VolumeForecasts.Config forecast) {
        health = new NodeHealthModel(0.5, 2_000);
        OperatorMetrics metrics = new OperatorMetrics(registry);
        KubeEvents events = new KubeEvents(client, clock);
        // Reads by listing: what a test just wrote is what the next pass sees.
        Observer observer = new Observer(ClusterReads.listing(client), new TelemetrySweep(agents, metrics, clock),
                new ReplicaInventory(agents, clock));
        actions = new PlannerActions(new MigrationCreator(client, metrics, 16), events, agents,
                health, new VolumeInsights(), metrics);
        return new PlannerLoop(observer, new PlannerLoop.Models(health, new AffinityProfiles(0.3),
                new VolumeForecasts(forecast)), actions, new ModelStateStore(client, namespace, "prescient-model-state"),
                metrics, clock, PlannerLoop.Config.of(limits, 100, Duration.ofMinutes(30)));
    }
}
