package dev.prescient.api.v1alpha1.volume;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** A point forecast with its prediction interval. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Forecast {

    @JsonPropertyDescription("What is forecast: AccessRate, ReadBytes, WriteBytes, UsedBytes or WorkingSet.")
    private ForecastMetric metric;

    @JsonPropertyDescription("How far ahead, as a duration (e.g. 30m, 6h).")
    private String horizon;

    @JsonPropertyDescription("Point forecast.")
    private Double value;

    @JsonPropertyDescription("Lower bound of the interval.")
    private Double lower;

    @JsonPropertyDescription("Upper bound of the interval.")
    private Double upper;

    @JsonPropertyDescription("Nominal coverage of the interval, e.g. 0.9.")
    private Double confidence;

    @JsonPropertyDescription("When the forecast was made (RFC 3339).")
    private String computedAt;

    public ForecastMetric getMetric() {
        return metric;
    }

    public void setMetric(ForecastMetric metric) {
        this.metric = metric;
    }

    public String getHorizon() {
        return horizon;
    }

    public void setHorizon(String horizon) {
        this.horizon = horizon;
    }

    public Double getValue() {
        return value;
    }

    public void setValue(Double value) {
        this.value = value;
    }

    public Double getLower() {
        return lower;
    }

    public void setLower(Double lower) {
        this.lower = lower;
    }

    public Double getUpper() {
        return upper;
    }

    public void setUpper(Double upper) {
        this.upper = upper;
    }

    public Double getConfidence() {
        return confidence;
    }

    public void setConfidence(Double confidence) {
        this.confidence = confidence;
    }

    public String getComputedAt() {
        return computedAt;
    }

    public void setComputedAt(String computedAt) {
        this.computedAt = computedAt;
    }
}
