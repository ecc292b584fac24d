package dev.prescient.api.v1alpha1.volume;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class Attachment {

    @JsonPropertyDescription("Node the volume is published to.")
    private String node;

    @JsonPropertyDescription("When it was attached (RFC 3339).")
    private String since;

    @JsonPropertyDescription("Pods consuming the volume (from CSI podInfoOnMount).")
    private List<Consumer> consumers;

    public String getNode() {
        return node;
    }

    public void setNode(String node) {
        this.node = node;
    }

    public String getSince() {
        return since;
    }

    public void setSince(String since) {
        this.since = since;
    }

    public List<Consumer> getConsumers() {
        return consumers;
    }

    public void setConsumers(List<Consumer> consumers) {
        this.consumers = consumers;
    }
}
