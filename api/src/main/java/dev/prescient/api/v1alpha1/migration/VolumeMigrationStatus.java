package dev.prescient.api.v1alpha1.migration;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.prescient.api.v1alpha1.common.Condition;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class VolumeMigrationStatus {

    @JsonPropertyDescription("metadata.generation of the spec this status was computed from.")
    private Long observedGeneration;

    @JsonPropertyDescription("Current phase.")
    private MigrationPhase phase;

    @JsonPropertyDescription("Bytes to move (allocated bytes of the source).")
    private Long bytesTotal;

    @JsonPropertyDescription("Bytes moved so far, after compression and deduplication.")
    private Long bytesMoved;

    @JsonPropertyDescription("Percent of the transfer done.")
    private Integer progressPercent;

    @JsonPropertyDescription("Current transfer rate in bytes per second.")
    private Long rateBytesPerSecond;

    @JsonPropertyDescription("Estimated seconds to the end of the transfer.")
    private Long etaSeconds;

    @JsonPropertyDescription("Pre-copy rounds made before the switch.")
    private Integer preCopyRounds;

    @JsonPropertyDescription("I/O pause measured at the switchover, in milliseconds.")
    private Double pauseMillis;

    @JsonPropertyDescription("When the migration started (RFC 3339).")
    private String startTime;

    @JsonPropertyDescription("When it reached a terminal phase (RFC 3339).")
    private String completionTime;

    @JsonPropertyDescription("State that lets a restarted operator resume the migration where it stood.")
    private MigrationCheckpoint checkpoint;

    @JsonPropertyDescription("Conditions: Progressing, Succeeded, RolledBack, Failed.")
    private List<Condition> conditions;

    public Long getObservedGeneration() {
        return observedGeneration;
    }

    public void setObservedGeneration(Long observedGeneration) {
        this.observedGeneration = observedGeneration;
    }

    public MigrationPhase getPhase() {
        return phase;
    }

    public void setPhase(MigrationPhase phase) {
        this.phase = phase;
    }

    public Long getBytesTotal() {
        return bytesTotal;
    }

    public void setBytesTotal(Long bytesTotal) {
        this.bytesTotal = bytesTotal;
    }

    public Long getBytesMoved() {
        return bytesMoved;
    }

    public void setBytesMoved(Long bytesMoved) {
        this.bytesMoved = bytesMoved;
    }

    public Integer getProgressPercent() {
        return progressPercent;
    }

    public void setProgressPercent(Integer progressPercent) {
        this.progressPercent = progressPercent;
    }

    public Long getRateBytesPerSecond() {
        return rateBytesPerSecond;
    }

    public void setRateBytesPerSecond(Long rateBytesPerSecond) {
        this.rateBytesPerSecond = rateBytesPerSecond;
    }

    public Long getEtaSeconds() {
        return etaSeconds;
    }

    public void setEtaSeconds(Long etaSeconds) {
        this.etaSeconds = etaSeconds;
    }

    public Integer getPreCopyRounds() {
        return preCopyRounds;
    }

    public void setPreCopyRounds(Integer preCopyRounds) {
        this.preCopyRounds = preCopyRounds;
    }

    public Double getPauseMillis() {
        return pauseMillis;
    }

    public void setPauseMillis(Double pauseMillis) {
        this.pauseMillis = pauseMillis;
    }

    public String getStartTime() {
        return startTime;
    }

    public void setStartTime(String startTime) {
        this.startTime = startTime;
    }

    public String getCompletionTime() {
        return completionTime;
    }

    public void setCompletionTime(String completionTime) {
        this.completionTime = completionTime;
    }

    public MigrationCheckpoint getCheckpoint() {
        return checkpoint;
    }

    public void setCheckpoint(MigrationCheckpoint checkpoint) {
        this.checkpoint = checkpoint;
    }

    public List<Condition> getConditions() {
        return conditions;
    }

    public void setConditions(List<Condition> conditions) {
        this.conditions = conditions;
    }
}
