package dev.prescient.api.v1alpha1.policy;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.prescient.api.v1alpha1.ApiGroup;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class PreStaging {

    @Default("true")
    @JsonPropertyDescription("Pre-stage replicas on nodes predicted to read the data.")
    private Boolean enabled;

    @Pattern(ApiGroup.DURATION)
    @Default("24h")
    @JsonPropertyDescription("A pre-staged replica that is never read within this time is removed again.")
    private String expireAfter;

    @Min(0) @Max(4) @Default("1")
    @JsonPropertyDescription("Most pre-staged replicas one volume may have at a time.")
    private Integer maxPerVolume;

    @Pattern(ApiGroup.DURATION)
    @Default("30m")
    @JsonPropertyDescription("How long before the predicted first access the replica should be in sync.")
    private String leadTime;

    public Boolean getEnabled() {
        return enabled;
    }

    public void setEnabled(Boolean enabled) {
        this.enabled = enabled;
    }

    public String getExpireAfter() {
        return expireAfter;
    }

    public void setExpireAfter(String expireAfter) {
        this.expireAfter = expireAfter;
    }

    public Integer getMaxPerVolume() {
        return maxPerVolume;
    }

    public void setMaxPerVolume(Integer maxPerVolume) {
        this.maxPerVolume = maxPerVolume;
    }

    public String getLeadTime() {
        return leadTime;
    }

    public void setLeadTime(String leadTime) {
        this.leadTime = leadTime;
    }
}
