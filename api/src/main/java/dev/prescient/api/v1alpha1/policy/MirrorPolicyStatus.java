package dev.prescient.api.v1alpha1.policy;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.prescient.api.v1alpha1.common.Condition;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class MirrorPolicyStatus {

    @JsonPropertyDescription("metadata.generation of the spec this status was computed from.")
    private Long observedGeneration;

    @JsonPropertyDescription("Number of ReplicatedVolumes using this policy.")
    private Integer volumeCount;

    @JsonPropertyDescription("Names of the volumes using this policy (the first 100).")
    private List<String> volumes;

    @JsonPropertyDescription("When the planner last evaluated the volumes of this policy (RFC 3339).")
    private String lastEvaluationTime;

    @JsonPropertyDescription("Current state: Ready tells whether the policy is valid beyond what the schema checks (its tiers exist).")
    private List<Condition> conditions;

    public Long getObservedGeneration() {
        return observedGeneration;
    }

    public void setObservedGeneration(Long observedGeneration) {
        this.observedGeneration = observedGeneration;
    }

    public Integer getVolumeCount() {
        return volumeCount;
    }

    public void setVolumeCount(Integer volumeCount) {
        this.volumeCount = volumeCount;
    }

    public List<String> getVolumes() {
        return volumes;
    }

    public void setVolumes(List<String> volumes) {
        this.volumes = volumes;
    }

    public String getLastEvaluationTime() {
        return lastEvaluationTime;
    }

    public void setLastEvaluationTime(String lastEvaluationTime) {
        this.lastEvaluationTime = lastEvaluationTime;
    }

    public List<Condition> getConditions() {
        return conditions;
    }

    public void setConditions(List<Condition> conditions) {
        this.conditions = conditions;
    }
}
