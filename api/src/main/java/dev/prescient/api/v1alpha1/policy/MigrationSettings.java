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
@ValidationRule(value = "self.maxConcurrentPerNode <= self.maxConcurrentPerCluster", message = "maxConcurrentPerNode cannot exceed maxConcurrentPerCluster")
public class MigrationSettings {

    @Min(0) @Max(1) @Default("0.2")
    @JsonPropertyDescription("Least predicted benefit (relative gain in the share of accesses served locally or from a faster tier, net of the move's cost) for a move to be made.")
    private Double benefitThreshold;

    @Min(0) @Max(1) @Default("0.1")
    @JsonPropertyDescription("Margin a score must clear beyond a threshold before the opposite action is taken, so decisions do not flap.")
    private Double hysteresis;

    @Pattern(ApiGroup.DURATION)
    @Default("10m")
    @JsonPropertyDescription("Least time between two moves of the same volume.")
    private String coolDown;

    @Min(1) @Max(64) @Default("2")
    @JsonPropertyDescription("Most migrations running at once that read from or write to one node.")
    private Integer maxConcurrentPerNode;

    @Min(1) @Max(10000) @Default("10")
    @JsonPropertyDescription("Most migrations running at once in the cluster.")
    private Integer maxConcurrentPerCluster;

    @Pattern(ApiGroup.QUANTITY)
    @Default("200Mi")
    @JsonPropertyDescription("Bandwidth limit of one migration, as a quantity of bytes per second (e.g. 200Mi).")
    private String bandwidthLimit;

    public Double getBenefitThreshold() {
        return benefitThreshold;
    }

    public void setBenefitThreshold(Double benefitThreshold) {
        this.benefitThreshold = benefitThreshold;
    }

    public Double getHysteresis() {
        return hysteresis;
    }

    public void setHysteresis(Double hysteresis) {
        this.hysteresis = hysteresis;
    }

    public String getCoolDown() {
        return coolDown;
    }

    public void setCoolDown(String coolDown) {
        this.coolDown = coolDown;
    }

    public Integer getMaxConcurrentPerNode() {
        return maxConcurrentPerNode;
    }

    public void setMaxConcurrentPerNode(Integer maxConcurrentPerNode) {
        this.maxConcurrentPerNode = maxConcurrentPerNode;
    }

    public Integer getMaxConcurrentPerCluster() {
        return maxConcurrentPerCluster;
    }

    public void setMaxConcurrentPerCluster(Integer maxConcurrentPerCluster) {
        this.maxConcurrentPerCluster = maxConcurrentPerCluster;
    }

    public String getBandwidthLimit() {
        return bandwidthLimit;
    }

    public void setBandwidthLimit(String bandwidthLimit) {
        this.bandwidthLimit = bandwidthLimit;
    }
}
