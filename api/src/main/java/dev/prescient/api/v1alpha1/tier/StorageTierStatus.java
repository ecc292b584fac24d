package dev.prescient.api.v1alpha1.tier;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.prescient.api.v1alpha1.common.Condition;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class StorageTierStatus {

    @JsonPropertyDescription("metadata.generation of the spec this status was computed from.")
    private Long observedGeneration;

    @JsonPropertyDescription("Number of nodes offering this tier.")
    private Integer nodeCount;

    @JsonPropertyDescription("Total capacity across nodes, human-readable (e.g. 3.5Ti).")
    private String capacity;

    @JsonPropertyDescription("Total bytes used across nodes, human-readable.")
    private String used;

    @JsonPropertyDescription("Total capacity across nodes in bytes.")
    private Long capacityBytes;

    @JsonPropertyDescription("Total bytes used across nodes.")
    private Long usedBytes;

    @JsonPropertyDescription("Capacity and use of this tier on each node.")
    private List<TierNodeUsage> nodes;

    @JsonPropertyDescription("Current state: Ready tells whether the tier is usable on at least one node.")
    private List<Condition> conditions;

    public Long getObservedGeneration() {
        return observedGeneration;
    }

    public void setObservedGeneration(Long observedGeneration) {
        this.observedGeneration = observedGeneration;
    }

    public Integer getNodeCount() {
        return nodeCount;
    }

    public void setNodeCount(Integer nodeCount) {
        this.nodeCount = nodeCount;
    }

    public String getCapacity() {
        return capacity;
    }

    public void setCapacity(String capacity) {
        this.capacity = capacity;
    }

    public String getUsed() {
        return used;
    }

    public void setUsed(String used) {
        this.used = used;
    }

    public Long getCapacityBytes() {
        return capacityBytes;
    }

    public void setCapacityBytes(Long capacityBytes) {
        this.capacityBytes = capacityBytes;
    }

    public Long getUsedBytes() {
        return usedBytes;
    }

    public void setUsedBytes(Long usedBytes) {
        this.usedBytes = usedBytes;
    }

    public List<TierNodeUsage> getNodes() {
        return nodes;
    }

    public void setNodes(List<TierNodeUsage> nodes) {
        this.nodes = nodes;
    }

    public List<Condition> getConditions() {
        return conditions;
    }

    public void setConditions(List<Condition> conditions) {
        this.conditions = conditions;
    }
}
