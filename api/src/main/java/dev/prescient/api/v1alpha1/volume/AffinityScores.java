package dev.prescient.api.v1alpha1.volume;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class AffinityScores {

    @JsonPropertyDescription("Score of the volume for each node (top 10).")
    private List<Score> nodes;

    @JsonPropertyDescription("Score of the volume for each application (top 10).")
    private List<Score> applications;

    @JsonPropertyDescription("When the scores were computed (RFC 3339).")
    private String computedAt;

    public List<Score> getNodes() {
        return nodes;
    }

    public void setNodes(List<Score> nodes) {
        this.nodes = nodes;
    }

    public List<Score> getApplications() {
        return applications;
    }

    public void setApplications(List<Score> applications) {
        this.applications = applications;
    }

    public String getComputedAt() {
        return computedAt;
    }

    public void setComputedAt(String computedAt) {
        this.computedAt = computedAt;
    }
}
