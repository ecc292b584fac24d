package dev.prescient.api.v1alpha1.policy;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/** Three heat classes; everything not hot or warm is cold. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.hot.replicas >= self.warm.replicas && self.warm.replicas >= self.cold.replicas",
        message = "replica counts must not increase from hot to cold (hot >= warm >= cold)")
@ValidationRule(value = "self.hot.minScore > self.warm.minScore && self.warm.minScore > self.cold.minScore",
        message = "minScore must decrease strictly from hot to warm to cold")
public class HeatClasses {

    @Required
    @JsonPropertyDescription("Data scoring at least hot.minScore.")
    private HeatClass hot;

    @Required
    @JsonPropertyDescription("Data scoring at least warm.minScore and below hot.minScore.")
    private HeatClass warm;

    @Required
    @JsonPropertyDescription("Everything else.")
    private HeatClass cold;

    public HeatClass getHot() {
        return hot;
    }

    public void setHot(HeatClass hot) {
        this.hot = hot;
    }

    public HeatClass getWarm() {
        return warm;
    }

    public void setWarm(HeatClass warm) {
        this.warm = warm;
    }

    public HeatClass getCold() {
        return cold;
    }

    public void setCold(HeatClass cold) {
        this.cold = cold;
    }
}
