package dev.prescient.api.v1alpha1.volume;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class ClaimReference {

    @Size(max = 63)
    @JsonPropertyDescription("Namespace of the PersistentVolumeClaim.")
    private String namespace;

    @Size(max = 253)
    @JsonPropertyDescription("Name of the PersistentVolumeClaim.")
    private String name;

    public String getNamespace() {
        return namespace;
    }

    public void setNamespace(String namespace) {
        this.namespace = namespace;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }
}
