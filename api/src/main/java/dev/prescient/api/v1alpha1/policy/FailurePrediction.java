package dev.prescient.api.v1alpha1.policy;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.prescient.api.v1alpha1.ApiGroup;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "duration(self.rollbackAfter) >= duration(self.horizon)",
        message = "rollbackAfter must be at least the prediction horizon: an evacuation is undone only once the predicted failure window has passed")
public class FailurePrediction {

    @Default("true")
    @JsonPropertyDescription("Evacuate replicas off nodes predicted to fail.")
    private Boolean enabled;

    @Default("Adaptive")
    @JsonPropertyDescription("Static: use probabilityThreshold as given. Adaptive: start there, tighten after recent failures or cluster-wide events, relax after false alarms.")
    private ThresholdMode thresholdMode;

    @Min(0) @Max(1) @Default("0.5")
    @JsonPropertyDescription("Failure probability within the horizon above which a node is evacuated.")
    private Double probabilityThreshold;

    @Min(0) @Max(1) @Default("0.7")
    @JsonPropertyDescription("Least confidence of the prediction for it to be acted upon.")
    private Double minConfidence;

    @Pattern(ApiGroup.DURATION)
    @Default("72h")
    @JsonPropertyDescription("How far ahead failures are predicted.")
    private String horizon;

    @Pattern(ApiGroup.DURATION)
    @Default("168h")
    @JsonPropertyDescription("An evacuation whose predicted failure has not come after this long is undone (false alarm) and its space freed.")
    private String rollbackAfter;

    public Boolean getEnabled() {
        return enabled;
    }

    public void setEnabled(Boolean enabled) {
        this.enabled = enabled;
    }

    public ThresholdMode getThresholdMode() {
        return thresholdMode;
    }

    public void setThresholdMode(ThresholdMode thresholdMode) {
        this.thresholdMode = thresholdMode;
    }

    public Double getProbabilityThreshold() {
        return probabilityThreshold;
    }

    public void setProbabilityThreshold(Double probabilityThreshold) {
        this.probabilityThreshold = probabilityThreshold;
    }

    public Double getMinConfidence() {
        return minConfidence;
    }

    public void setMinConfidence(Double minConfidence) {
        this.minConfidence = minConfidence;
    }

    public String getHorizon() {
        return horizon;
    }

    public void setHorizon(String horizon) {
        this.horizon = horizon;
    }

    public String getRollbackAfter() {
        return rollbackAfter;
    }

    public void setRollbackAfter(String rollbackAfter) {
        this.rollbackAfter = rollbackAfter;
    }
}
