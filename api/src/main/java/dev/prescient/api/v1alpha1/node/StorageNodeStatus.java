package dev.prescient.api.v1alpha1.node;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.prescient.api.v1alpha1.common.Condition;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class StorageNodeStatus {

    @JsonPropertyDescription("metadata.generation of the spec this status was computed from.")
    private Long observedGeneration;

    @JsonPropertyDescription("Tiers present on the node with their capacity and use.")
    private List<NodeTierStatus> tiers;

    @JsonPropertyDescription("Health signals measured by the engine and read from the devices.")
    private HealthSignals health;

    @JsonPropertyDescription("Overall health, 0 (failing) to 1 (healthy).")
    private Double healthScore;

    @JsonPropertyDescription("Predicted probability that the node or one of its devices fails within the policy horizon.")
    private Double failureProbability;

    @JsonPropertyDescription("Confidence of that prediction, 0..1.")
    private Double failureConfidence;

    @JsonPropertyDescription("Current I/O and replica load.")
    private NodeLoad load;

    @JsonPropertyDescription("When the node agent last reported (RFC 3339).")
    private String lastHeartbeatTime;

    @JsonPropertyDescription("Conditions: Ready (agent reachable), Healthy, EvacuationRecommended.")
    private List<Condition> conditions;

    public Long getObservedGeneration() {
        return observedGeneration;
    }

    public void setObservedGeneration(Long observedGeneration) {
        this.observedGeneration = observedGeneration;
    }

    public List<NodeTierStatus> getTiers() {
        return tiers;
    }

    public void setTiers(List<NodeTierStatus> tiers) {
        this.tiers = tiers;
    }

    public HealthSignals getHealth() {
        return health;
    }

    public void setHealth(HealthSignals health) {
        this.health = health;
    }

    public Double getHealthScore() {
        return healthScore;
    }

    public void setHealthScore(Double healthScore) {
        this.healthScore = healthScore;
    }

    public Double getFailureProbability() {
        return failureProbability;
    }

    public void setFailureProbability(Double failureProbability) {
        this.failureProbability = failureProbability;
    }

    public Double getFailureConfidence() {
        return failureConfidence;
    }

    public void setFailureConfidence(Double failureConfidence) {
        this.failureConfidence = failureConfidence;
    }

    public NodeLoad getLoad() {
        return load;
    }

    public void setLoad(NodeLoad load) {
        this.load = load;
    }

    public String getLastHeartbeatTime() {
        return lastHeartbeatTime;
    }

    public void setLastHeartbeatTime(String lastHeartbeatTime) {
        this.lastHeartbeatTime = lastHeartbeatTime;
    }

    public List<Condition> getConditions() {
        return conditions;
    }

    public void setConditions(List<Condition> conditions) {
        this.conditions = conditions;
    }
}
