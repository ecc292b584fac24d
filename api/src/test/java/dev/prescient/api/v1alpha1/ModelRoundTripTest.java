package dev.prescient.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.prescient.api.testing.RepoFiles;
import dev.prescient.api.v1alpha1.common.Condition;
import dev.prescient.api.v1alpha1.common.ConditionStatus;
import dev.prescient.api.v1alpha1.common.NodeTier;
import dev.prescient.api.v1alpha1.migration.MigrationPhase;
import dev.prescient.api.v1alpha1.migration.MigrationReason;
import dev.prescient.api.v1alpha1.migration.VolumeMigration;
import dev.prescient.api.v1alpha1.migration.VolumeMigrationSpec;
import dev.prescient.api.v1alpha1.migration.VolumeMigrationStatus;
import dev.prescient.api.v1alpha1.node.SmartDevice;
import dev.prescient.api.v1alpha1.node.StorageNode;
import dev.prescient.api.v1alpha1.node.StorageNodeSpec;
import dev.prescient.api.v1alpha1.node.StorageNodeStatus;
import dev.prescient.api.v1alpha1.node.HealthSignals;
import dev.prescient.api.v1alpha1.policy.ExtentSize;
import dev.prescient.api.v1alpha1.policy.MirrorPolicy;
import dev.prescient.api.v1alpha1.tier.Media;
import dev.prescient.api.v1alpha1.tier.StorageTier;
import dev.prescient.api.v1alpha1.volume.ReplicaState;
import dev.prescient.api.v1alpha1.volume.ReplicaStatus;
import dev.prescient.api.v1alpha1.volume.ReplicatedVolume;
import dev.prescient.api.v1alpha1.volume.ReplicatedVolumeStatus;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** YAML -> typed object -> YAML keeps every field, for the samples and for fully populated objects. */
class ModelRoundTripTest {

    static final KubernetesSerialization K8S = PrescientResources.serialization();

    static List<Path> samples() {
        return RepoFiles.yamlFiles(RepoFiles.root().resolve("samples"));
    }

    @ParameterizedTest
    @MethodSource("samples")
    void samplesRoundTripThroughTheModel(Path file) throws Exception {
        for (JsonNode doc : RepoFiles.documents(file)) {
            if (!doc.path("apiVersion").asText().startsWith(ApiGroup.GROUP)) {
                continue;
            }
            HasMetadata typed = K8S.unmarshal(RepoFiles.YAML.writeValueAsString(doc));
            assertThat(typed.getClass().getPackageName()).startsWith("dev.prescient.api.v1alpha1");
            JsonNode back = RepoFiles.YAML.readTree(K8S.asYaml(typed));
            assertThat(back).as("%s %s", file.getFileName(), typed.getMetadata().getName()).isEqualTo(doc);
        }
    }

    @Test
    void typedAccessorsSeeTheSampleValues() throws Exception {
        JsonNode doc = RepoFiles.documents(RepoFiles.root().resolve("samples/mirror-policy.yaml")).get(0);
        MirrorPolicy p = K8S.unmarshal(RepoFiles.YAML.writeValueAsString(doc), MirrorPolicy.class);
        assertThat(p.getSpec().getExtentSize()).isEqualTo(ExtentSize.MIB_4);
        assertThat(p.getSpec().getExtentSize().bytes()).isEqualTo(4L << 20);
        assertThat(p.getSpec().getHeatClasses().getHot().getReplicas()).isEqualTo(3);
        assertThat(p.getSpec().getThresholds().getMigrate()).isEqualTo(0.8);
        StorageTier t = K8S.unmarshal(K8S.asYaml(RepoFiles.documents(RepoFiles.root().resolve("samples/tiers.yaml")).get(0)), StorageTier.class);
        assertThat(t.getSpec().getMedia()).isEqualTo(Media.NVMe);
    }

    @Test
    void fullyPopulatedStatusesRoundTrip() {
        Condition ready = new Condition();
        ready.setType("Ready");
        ready.setStatus(ConditionStatus.True);
        ready.setReason("AllReplicasHealthy");
        ready.setMessage("2 of 2 replicas healthy");
        ready.setLastTransitionTime("2026-11-21T10:00:00Z");
        ready.setObservedGeneration(3L);

        ReplicatedVolume vol = new ReplicatedVolume();
        vol.setMetadata(new ObjectMetaBuilder().withName("pvc-1").build());
        ReplicatedVolumeStatus vs = new ReplicatedVolumeStatus();
        ReplicaStatus r = new ReplicaStatus();
        r.setId("r1");
        r.setNode("node-a");
        r.setTier("nvme");
        r.setState(ReplicaState.Healthy);
        r.setLagBytes(0L);
        vs.setReplicas(List.of(r));
        vs.setConditions(List.of(ready));
        vs.setObservedGeneration(3L);
        vol.setStatus(vs);

        VolumeMigration mig = new VolumeMigration();
        mig.setMetadata(new ObjectMetaBuilder().withName("m1").build());
        VolumeMigrationSpec ms = new VolumeMigrationSpec();
        ms.setVolume("pvc-1");
        NodeTier from = new NodeTier();
        from.setNode("node-a");
        from.setTier("ssd");
        NodeTier to = new NodeTier();
        to.setNode("node-b");
        to.setTier("nvme");
        ms.setFrom(from);
        ms.setTo(to);
        ms.setReason(MigrationReason.PredictedFailure);
        mig.setSpec(ms);
        VolumeMigrationStatus mst = new VolumeMigrationStatus();
        mst.setPhase(MigrationPhase.SwitchingOver);
        mst.setPauseMillis(4.2);
        mst.setProgressPercent(100);
        mig.setStatus(mst);

        StorageNode node = new StorageNode();
        node.setMetadata(new ObjectMetaBuilder().withName("node-a").build());
        StorageNodeSpec ns = new StorageNodeSpec();
        ns.setNodeName("node-a");
        node.setSpec(ns);
        StorageNodeStatus nst = new StorageNodeStatus();
        HealthSignals h = new HealthSignals();
        SmartDevice d = new SmartDevice();
        d.setDevice("/dev/sda");
        d.setRawAttributes(Map.of("5", 12L, "197", 0L));
        h.setDevices(List.of(d));
        nst.setHealth(h);
        nst.setFailureProbability(0.83);
        node.setStatus(nst);

        for (HasMetadata o : List.of(vol, mig, node)) {
            String yaml = K8S.asYaml(o);
            assertThat(yaml).contains("apiVersion: \"storage.prescient.dev/v1alpha1\"");
            HasMetadata back = K8S.unmarshal(yaml);
            assertThat(back).isInstanceOf(o.getClass());
            assertThat(K8S.asYaml(back)).isEqualTo(yaml);
        }
        VolumeMigration m2 = K8S.unmarshal(K8S.asYaml(mig), VolumeMigration.class);
        assertThat(m2.getStatus().getPhase()).isEqualTo(MigrationPhase.SwitchingOver);
        assertThat(m2.getSpec().getTo().getNode()).isEqualTo("node-b");
        StorageNode n2 = K8S.unmarshal(K8S.asYaml(node), StorageNode.class);
        assertThat(n2.getStatus().getHealth().getDevices().get(0).getRawAttributes()).containsEntry("5", 12L);
    }
}
