package dev.prescient.api.v1alpha1.volume;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class Placement {

    @Size(max = 1000)
    @JsonPropertyDescription("If not empty, replicas may only be placed on these nodes.")
    private List<String> requiredNodes;

    @Size(max = 100)
    @JsonPropertyDescription("If not empty, replicas may only be placed in these zones.")
    private List<String> requiredZones;

    @Size(max = 1000)
    @JsonPropertyDescription("Nodes preferred for the first replica, most preferred first.")
    private List<String> preferredNodes;

    public List<String> getRequiredNodes() {
        return requiredNodes;
    }

    public void setRequiredNodes(List<String> requiredNodes) {
        this.requiredNodes = requiredNodes;
    }

    public List<String> getRequiredZones() {
        return requiredZones;
    }

    public void setRequiredZones(List<String> requiredZones) {
        this.requiredZones = requiredZones;
    }

    public List<String> getPreferredNodes() {
        return preferredNodes;
    }

    public void setPreferredNodes(List<String> preferredNodes) {
        this.preferredNodes = preferredNodes;
    }
}
