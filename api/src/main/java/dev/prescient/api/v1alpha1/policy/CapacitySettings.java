package dev.prescient.api.v1alpha1.policy;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.prescient.api.v1alpha1.ApiGroup;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class CapacitySettings {

    @Pattern(ApiGroup.DURATION)
    @Default("24h")
    @JsonPropertyDescription("How far ahead used bytes are forecast.")
    private String forecastHorizon;

    @Min(0) @Max(100) @Default("20")
    @JsonPropertyDescription("Headroom in percent on top of the upper bound of the forecast when choosing where a growing volume fits.")
    private Integer bufferPercent;

    @Min(0.5) @Max(0.99) @Default("0.9")
    @JsonPropertyDescription("Confidence level of the forecast interval the decision uses.")
    private Double confidence;

    public String getForecastHorizon() {
        return forecastHorizon;
    }

    public void setForecastHorizon(String forecastHorizon) {
        this.forecastHorizon = forecastHorizon;
    }

    public Integer getBufferPercent() {
        return bufferPercent;
    }

    public void setBufferPercent(Integer bufferPercent) {
        this.bufferPercent = bufferPercent;
    }

    public Double getConfidence() {
        return confidence;
    }

    public void setConfidence(Double confidence) {
        this.confidence = confidence;
    }
}
