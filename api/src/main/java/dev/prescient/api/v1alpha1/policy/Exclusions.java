package dev.prescient.api.v1alpha1.policy;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class Exclusions {

    @Size(max = 1000)
    @JsonPropertyDescription("Names of ReplicatedVolumes the planner never moves.")
    private List<String> volumes;

    @Size(max = 1000)
    @JsonPropertyDescription("Names of nodes the planner never places replicas on.")
    private List<String> nodes;

    public List<String> getVolumes() {
        return volumes;
    }

    public void setVolumes(List<String> volumes) {
        this.volumes = volumes;
    }

    public List<String> getNodes() {
        return nodes;
    }

    public void setNodes(List<String> nodes) {
        this.nodes = nodes;
    }
}
