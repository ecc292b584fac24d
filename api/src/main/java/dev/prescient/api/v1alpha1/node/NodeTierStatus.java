package dev.prescient.api.v1alpha1.node;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class NodeTierStatus {

    @JsonPropertyDescription("StorageTier name.")
    private String tier;

    @JsonPropertyDescription("Directory of the tier on this node.")
    private String path;

    @JsonPropertyDescription("Capacity of the tier's file system in bytes.")
    private Long capacityBytes;

    @JsonPropertyDescription("Bytes used by replicas.")
    private Long usedBytes;

    @JsonPropertyDescription("Number of replicas on the tier.")
    private Integer replicas;

    public String getTier() {
        return tier;
    }

    public void setTier(String tier) {
        this.tier = tier;
    }

    public String getPath() {
        return path;
    }

    public void setPath(String path) {
        this.path = path;
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

    public Integer getReplicas() {
        return replicas;
    }

    public void setReplicas(Integer replicas) {
        this.replicas = replicas;
    }
}
