package dev.prescient.api.v1alpha1.volume;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class Consumer {

    @JsonPropertyDescription("Namespace of the pod.")
    private String namespace;

    @JsonPropertyDescription("Name of the pod.")
    private String pod;

    @JsonPropertyDescription("Application the pod belongs to (its owner, e.g. StatefulSet/postgres).")
    private String application;

    public String getNamespace() {
        return namespace;
    }

    public void setNamespace(String namespace) {
        this.namespace = namespace;
    }

    public String getPod() {
        return pod;
    }

    public void setPod(String pod) {
        this.pod = pod;
    }

    public String getApplication() {
        return application;
    }

    public void setApplication(String application) {
        this.application = application;
    }
}
