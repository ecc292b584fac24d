package dev.prescient.api.v1alpha1.common;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.prescient.api.v1alpha1.ApiGroup;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** Where one replica lives: a node and a StorageTier on it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NodeTier {

    @Required
    @Size(min = 1, max = 253)
    @Pattern(ApiGroup.DNS_SUBDOMAIN)
    @JsonPropertyDescription("Name of the Kubernetes node.")
    private String node;

    @Required
    @Size(min = 1, max = 253)
    @Pattern(ApiGroup.DNS_SUBDOMAIN)
    @JsonPropertyDescription("Name of the StorageTier on that node.")
    private String tier;

    public String getNode() {
        return node;
    }

    public void setNode(String node) {
        this.node = node;
    }

    public String getTier() {
        return tier;
    }

    public void setTier(String tier) {
        this.tier = tier;
    }
}
