package dev.prescient.api.v1alpha1.policy;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.prescient.api.v1alpha1.ApiGroup;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class HeatClass {

    @Required
    @Size(min = 1, max = 253)
    @Pattern(ApiGroup.DNS_SUBDOMAIN)
    @JsonPropertyDescription("Name of the StorageTier data of this class is placed on.")
    private String tier;

    @Min(1) @Max(5) @Default("1")
    @JsonPropertyDescription("Number of replicas data of this class keeps (tiered mirroring).")
    private Integer replicas;

    @Min(0) @Max(1) @Default("0")
    @JsonPropertyDescription("Lowest heat score (0..1) that belongs to this class.")
    private Double minScore;

    public String getTier() {
        return tier;
    }

    public void setTier(String tier) {
        this.tier = tier;
    }

    public Integer getReplicas() {
        return replicas;
    }

    public void setReplicas(Integer replicas) {
        this.replicas = replicas;
    }

    public Double getMinScore() {
        return minScore;
    }

    public void setMinScore(Double minScore) {
        this.minScore = minScore;
    }
}
