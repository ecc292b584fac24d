package dev.prescient.api.v1alpha1.tier;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** This tier on one node. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TierNodeUsage {

    @JsonPropertyDescription("Node name.")
    private String node;

    @JsonPropertyDescription("Capacity of the tier's file system on that node, in bytes.")
    private Long capacityBytes;

    @JsonPropertyDescription("Bytes used by Prescient replicas on that node.")
    private Long usedBytes;

    @JsonPropertyDescription("Bytes still available to new placements, after the reserve.")
    private Long availableBytes;

    @JsonPropertyDescription("Number of replicas on that node's tier.")
    private Integer replicas;

    public String getNode() {
        return node;
    }

    public void setNode(String node) {
        this.node = node;
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

    public Long getAvailableBytes() {
        return availableBytes;
    }

    public void setAvailableBytes(Long availableBytes) {
        this.availableBytes = availableBytes;
    }

    public Integer getReplicas() {
        return replicas;
    }

    public void setReplicas(Integer replicas) {
        this.replicas = replicas;
    }
}
