package dev.prescient.api.v1alpha1.volume;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class ReplicaStatus {

    @JsonPropertyDescription("Replica id, unique within the volume.")
    private String id;

    @JsonPropertyDescription("Node holding the replica.")
    private String node;

    @JsonPropertyDescription("StorageTier the replica is on.")
    private String tier;

    @JsonPropertyDescription("Syncing, Healthy, Stale, Failed or Removing.")
    private ReplicaState state;

    @JsonPropertyDescription("Engine I/O mode: RW, WO (catching up) or ERR.")
    private ReplicaMode mode;

    @JsonPropertyDescription("Why the replica exists: Primary, Mirror, PreStaged or Evacuation.")
    private ReplicaRole role;

    @JsonPropertyDescription("Bytes the replica is behind the volume.")
    private Long lagBytes;

    @JsonPropertyDescription("Percent of the catch-up done while Syncing.")
    private Integer syncPercent;

    @JsonPropertyDescription("Data generation the replica holds; replicas of a healthy volume agree.")
    private Long generation;

    @JsonPropertyDescription("When the replica was last scrubbed against another copy (RFC 3339).")
    private String lastScrubTime;

    @JsonPropertyDescription("Extents repaired by the last scrub.")
    private Long lastScrubRepairedExtents;

    @JsonPropertyDescription("When the replica was last read, for the expiry of pre-staged replicas (RFC 3339).")
    private String lastReadTime;

    public String getId() {
        return id;
    }

    public void setId(String id) {
        this.id = id;
    }

    public String getNode() {
        return node;
    }

    public void setNode(String node) {
        this.node = node;
    }

    public String getTier() {
        return tier;
    }

    public void setTier(String tier) {
        this.tier = tier;
    }

    public ReplicaState getState() {
        return state;
    }

    public void setState(ReplicaState state) {
        this.state = state;
    }

    public ReplicaMode getMode() {
        return mode;
    }

    public void setMode(ReplicaMode mode) {
        this.mode = mode;
    }

    public ReplicaRole getRole() {
        return role;
    }

    public void setRole(ReplicaRole role) {
        this.role = role;
    }

    public Long getLagBytes() {
        return lagBytes;
    }

    public void setLagBytes(Long lagBytes) {
        this.lagBytes = lagBytes;
    }

    public Integer getSyncPercent() {
        return syncPercent;
    }

    public void setSyncPercent(Integer syncPercent) {
        this.syncPercent = syncPercent;
    }

    public Long getGeneration() {
        return generation;
    }

    public void setGeneration(Long generation) {
        this.generation = generation;
    }

    public String getLastScrubTime() {
        return lastScrubTime;
    }

    public void setLastScrubTime(String lastScrubTime) {
        this.lastScrubTime = lastScrubTime;
    }

    public Long getLastScrubRepairedExtents() {
        return lastScrubRepairedExtents;
    }

    public void setLastScrubRepairedExtents(Long lastScrubRepairedExtents) {
        this.lastScrubRepairedExtents = lastScrubRepairedExtents;
    }

    public String getLastReadTime() {
        return lastReadTime;
    }

    public void setLastReadTime(String lastReadTime) {
        this.lastReadTime = lastReadTime;
    }
}
