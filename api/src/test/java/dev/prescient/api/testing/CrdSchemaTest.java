package dev.prescient.api.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The schema checker itself: it must refuse, not only accept (a checker that accepts all proves nothing). */
class CrdSchemaTest {

    static final Map<String, CrdSchema> SCHEMAS = CrdSchema.all();

    static JsonNode yaml(String text) throws Exception {
        return RepoFiles.YAML.readTree(text);
    }

    @Test
    void defaultsAreFilledInAsTheApiServerDoes() throws Exception {
        JsonNode policy = yaml("""
                apiVersion: storage.prescient.dev/v1alpha1
                kind: MirrorPolicy
                metadata: { name: minimal }
                spec:
                  heatClasses:
                    hot: { tier: nvme, minScore: 0.7 }
                    warm: { tier: ssd, minScore: 0.3 }
                    cold: { tier: hdd }
                """);
        CrdSchema schema = SCHEMAS.get("MirrorPolicy");
        assertThat(schema.validateCreate(policy)).isEmpty();
        JsonNode stored = schema.withDefaults(policy);
        assertThat(stored.at("/spec/thresholds/preStage").asDouble()).isEqualTo(0.3);
        assertThat(stored.at("/spec/thresholds/migrate").asDouble()).isEqualTo(0.8);
        assertThat(stored.at("/spec/weights/frequency").asDouble()).isEqualTo(0.35);
        assertThat(stored.at("/spec/heatClasses/cold/replicas").asInt()).isEqualTo(1);
        assertThat(stored.at("/spec/replication/mode").asText()).isEqualTo("Sync");
        assertThat(stored.at("/spec/failurePrediction/horizon").asText()).isEqualTo("72h");
    }

    @Test
    void everyDefaultSatisfiesTheSchema() throws Exception {
        // A minimal object of every kind, completed with every default, must validate.
        Map<String, String> minimal = Map.of(
                "StorageTier", "{spec: {media: SSD, rank: 1, path: /data/ssd}}",
                "MirrorPolicy", "{spec: {heatClasses: {hot: {tier: a, minScore: 0.9}, warm: {tier: b, minScore: 0.5}, cold: {tier: c}}}}",
                "ReplicatedVolume", "{spec: {capacityBytes: 1048576, policy: p, initialTier: t}}",
                "VolumeMigration", "{spec: {volume: v, from: {node: a, tier: t}, to: {node: b, tier: t}, reason: Manual}}",
                "StorageNode", "{spec: {nodeName: n}}");
        for (Map.Entry<String, String> e : minimal.entrySet()) {
            ObjectNode obj = (ObjectNode) yaml(e.getValue());
            obj.put("apiVersion", "storage.prescient.dev/v1alpha1").put("kind", e.getKey());
            obj.putObject("metadata").put("name", "x");
            CrdSchema schema = SCHEMAS.get(e.getKey());
            assertThat(schema.validateCreate(schema.withDefaults(obj))).as(e.getKey()).isEmpty();
        }
    }

    @Test
    void structuralErrorsAndRuleErrorsAreBothReported() throws Exception {
        JsonNode bad = yaml("""
                apiVersion: storage.prescient.dev/v1alpha1
                kind: MirrorPolicy
                metadata: { name: bad }
                spec:
                  thresholds: { preStage: 0.9, mirror: 0.5, migrate: 1.5 }
                  heatClasses:
                    hot: { tier: nvme, minScore: 0.7 }
                    warm: { tier: ssd, minScore: 0.3 }
                    cold: { tier: hdd }
                """);
        assertThat(SCHEMAS.get("MirrorPolicy").validateCreate(bad))
                .anySatisfy(m -> assertThat(m).contains("maximum value of 1"))
                .anySatisfy(m -> assertThat(m).contains("thresholds must be ordered"));
    }

    @Test
    void transitionRulesApplyOnlyToUpdates() throws Exception {
        JsonNode v1 = yaml("{apiVersion: storage.prescient.dev/v1alpha1, kind: ReplicatedVolume, metadata: {name: v},"
                + " spec: {capacityBytes: 2097152, policy: p, initialTier: t, volumeMode: Block}}");
        JsonNode grown = yaml("{apiVersion: storage.prescient.dev/v1alpha1, kind: ReplicatedVolume, metadata: {name: v},"
                + " spec: {capacityBytes: 4194304, policy: p, initialTier: t, volumeMode: Block}}");
        JsonNode remoded = yaml("{apiVersion: storage.prescient.dev/v1alpha1, kind: ReplicatedVolume, metadata: {name: v},"
                + " spec: {capacityBytes: 4194304, policy: p, initialTier: t, volumeMode: Filesystem}}");
        CrdSchema schema = SCHEMAS.get("ReplicatedVolume");
        assertThat(schema.validateUpdate(v1, grown)).as("growing is allowed").isEmpty();
        assertThat(schema.validateUpdate(grown, v1)).anySatisfy(m -> assertThat(m).contains("never shrink"));
        assertThat(schema.validateUpdate(v1, remoded)).anySatisfy(m -> assertThat(m).contains("volumeMode is immutable"));
        assertThat(schema.validateCreate(remoded)).isEmpty();
    }
}
