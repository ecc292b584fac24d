package dev.prescient.api.v1alpha1.node;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.prescient.api.v1alpha1.ApiGroup;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class StorageNodeSpec {

    @Required
    @Size(min = 1, max = 253)
    @Pattern(ApiGroup.DNS_SUBDOMAIN)
    @ValidationRule(value = "self == oldSelf", message = "nodeName is immutable")
    @JsonPropertyDescription("Name of the Kubernetes node this StorageNode describes.")
    private String nodeName;

    @Size(max = 63)
    @JsonPropertyDescription("Zone of the node (topology.kubernetes.io/zone), for spreading replicas.")
    private String zone;

    @Size(max = 261)
    @Pattern("^[A-Za-z0-9.:\\[\\]-]+:[0-9]{1,5}$")
    @JsonPropertyDescription("host:port of the node agent's gRPC endpoint (mutual TLS).")
    private String agentEndpoint;

    @Default("false")
    @JsonPropertyDescription("A cordoned node gets no new replicas; existing ones stay unless evacuated.")
    private Boolean cordoned;

    public String getNodeName() {
        return nodeName;
    }

    public void setNodeName(String nodeName) {
        this.nodeName = nodeName;
    }

    public String getZone() {
        return zone;
    }

    public void setZone(String zone) {
        this.zone = zone;
    }

    public String getAgentEndpoint() {
        return agentEndpoint;
    }

    public void setAgentEndpoint(String agentEndpoint) {
        this.agentEndpoint = agentEndpoint;
    }

    public Boolean getCordoned() {
        return cordoned;
    }

    public void setCordoned(Boolean cordoned) {
        this.cordoned = cordoned;
    }
}
