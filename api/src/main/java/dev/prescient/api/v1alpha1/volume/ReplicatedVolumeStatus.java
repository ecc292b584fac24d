package dev.prescient.api.v1alpha1.volume;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.prescient.api.v1alpha1.common.Condition;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class ReplicatedVolumeStatus {

    @JsonPropertyDescription("metadata.generation of the spec this status was computed from.")
    private Long observedGeneration;

    @JsonPropertyDescription("Lifecycle phase: Pending, Provisioning, Available, Degraded, Failed or Deleting.")
    private VolumePhase phase;

    @JsonPropertyDescription("Current size, human-readable (e.g. 10Gi).")
    private String capacity;

    @JsonPropertyDescription("Bytes allocated in the volume (written and not discarded).")
    private Long usedBytes;

    @JsonPropertyDescription("Healthy replicas over desired replicas, e.g. 2/3.")
    private String replicaSummary;

    @JsonPropertyDescription("Every replica of the volume, as observed through the node agents.")
    private List<ReplicaStatus> replicas;

    @JsonPropertyDescription("Where the volume is attached and who consumes it.")
    private Attachment attachment;

    @JsonPropertyDescription("Heat class of the volume as a whole: Hot, Warm or Cold.")
    private HeatClassName heatClass;

    @JsonPropertyDescription("Affinity of the volume to nodes and applications (0..1), highest first.")
    private AffinityScores affinity;

    @JsonPropertyDescription("The latest forecasts for this volume, with their intervals.")
    private List<Forecast> forecasts;

    @JsonPropertyDescription("Conditions: Ready, Degraded, Synced, Scrubbed.")
    private List<Condition> conditions;

    public Long getObservedGeneration() {
        return observedGeneration;
    }

    public void setObservedGeneration(Long observedGeneration) {
        this.observedGeneration = observedGeneration;
    }

    public VolumePhase getPhase() {
        return phase;
    }

    public void setPhase(VolumePhase phase) {
        this.phase = phase;
    }

    public String getCapacity() {
        return capacity;
    }

    public void setCapacity(String capacity) {
        this.capacity = capacity;
    }

    public Long getUsedBytes() {
        return usedBytes;
    }

    public void setUsedBytes(Long usedBytes) {
        this.usedBytes = usedBytes;
    }

    public String getReplicaSummary() {
        return replicaSummary;
    }

    public void setReplicaSummary(String replicaSummary) {
        this.replicaSummary = replicaSummary;
    }

    public List<ReplicaStatus> getReplicas() {
        return replicas;
    }

    public void setReplicas(List<ReplicaStatus> replicas) {
        this.replicas = replicas;
    }

    public Attachment getAttachment() {
        return attachment;
    }

    public void setAttachment(Attachment attachment) {
        this.attachment = attachment;
    }

    public HeatClassName getHeatClass() {
        return heatClass;
    }

    public void setHeatClass(HeatClassName heatClass) {
        this.heatClass = heatClass;
    }

    public AffinityScores getAffinity() {
        return affinity;
    }

    public void setAffinity(AffinityScores affinity) {
        this.affinity = affinity;
    }

    public List<Forecast> getForecasts() {
        return forecasts;
    }

    public void setForecasts(List<Forecast> forecasts) {
        this.forecasts = forecasts;
    }

    public List<Condition> getConditions() {
        return conditions;
    }

    public void setConditions(List<Condition> conditions) {
        this.conditions = conditions;
    }
}
