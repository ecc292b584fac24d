package dev.prescient.api.v1alpha1.policy;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

/** Relative weights; only their proportions matter, and at least one must be positive. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.frequency + self.recency + self.sourceNode + self.application + self.dataType + self.timeOfDay > 0.0",
        message = "at least one affinity weight must be greater than zero")
public class AffinityWeights {

    @Min(0) @Max(1) @Default("0.35")
    @JsonPropertyDescription("Weight of decayed access frequency.")
    private Double frequency;

    @Min(0) @Max(1) @Default("0.25")
    @JsonPropertyDescription("Weight of how recently the data was accessed.")
    private Double recency;

    @Min(0) @Max(1) @Default("0.2")
    @JsonPropertyDescription("Weight of the node the accesses come from.")
    private Double sourceNode;

    @Min(0) @Max(1) @Default("0.1")
    @JsonPropertyDescription("Weight of the consuming application (the pod's owner).")
    private Double application;

    @Min(0) @Max(1) @Default("0.0")
    @JsonPropertyDescription("Weight of the data type (file system metadata, journal, data).")
    private Double dataType;

    @Min(0) @Max(1) @Default("0.1")
    @JsonPropertyDescription("Weight of the time-of-day and day-of-week access profile.")
    private Double timeOfDay;

    public Double getFrequency() {
        return frequency;
    }

    public void setFrequency(Double frequency) {
        this.frequency = frequency;
    }

    public Double getRecency() {
        return recency;
    }

    public void setRecency(Double recency) {
        this.recency = recency;
    }

    public Double getSourceNode() {
        return sourceNode;
    }

    public void setSourceNode(Double sourceNode) {
        this.sourceNode = sourceNode;
    }

    public Double getApplication() {
        return application;
    }

    public void setApplication(Double application) {
        this.application = application;
    }

    public Double getDataType() {
        return dataType;
    }

    public void setDataType(Double dataType) {
        this.dataType = dataType;
    }

    public Double getTimeOfDay() {
        return timeOfDay;
    }

    public void setTimeOfDay(Double timeOfDay) {
        this.timeOfDay = timeOfDay;
    }
}
