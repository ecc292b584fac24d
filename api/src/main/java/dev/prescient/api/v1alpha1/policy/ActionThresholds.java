package dev.prescient.api.v1alpha1.policy;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

/** Affinity score (0..1) at which each action starts; scores are comparable across volumes. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.preStage <= self.mirror && self.mirror <= self.migrate",
        message = "thresholds must be ordered preStage <= mirror <= migrate: a stronger action needs a stronger tie")
public class ActionThresholds {

    @Min(0) @Max(1) @Default("0.3")
    @JsonPropertyDescription("Score at which a replica is pre-staged on a node predicted to read the data.")
    private Double preStage;

    @Min(0) @Max(1) @Default("0.5")
    @JsonPropertyDescription("Score at which a lasting mirror is kept on the node.")
    private Double mirror;

    @Min(0) @Max(1) @Default("0.8")
    @JsonPropertyDescription("Score at which the volume's primary replica is migrated to the node.")
    private Double migrate;

    public Double getPreStage() {
        return preStage;
    }

    public void setPreStage(Double preStage) {
        this.preStage = preStage;
    }

    public Double getMirror() {
        return mirror;
    }

    public void setMirror(Double mirror) {
        this.mirror = mirror;
    }

    public Double getMigrate() {
        return migrate;
    }

    public void setMigrate(Double migrate) {
        this.migrate = migrate;
    }
}
