package dev.prescient.api.v1alpha1.volume;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.snapshot) ? !has(self.volume) : has(self.volume)", message = "exactly one of snapshot or volume must be set")
public class VolumeSource {

    @Size(min = 1, max = 253)
    @JsonPropertyDescription("Id of the Prescient snapshot to restore.")
    private String snapshot;

    @Size(min = 1, max = 253)
    @JsonPropertyDescription("Name of the ReplicatedVolume to clone.")
    private String volume;

    public String getSnapshot() {
        return snapshot;
    }

    public void setSnapshot(String snapshot) {
        this.snapshot = snapshot;
    }

    public String getVolume() {
        return volume;
    }

    public void setVolume(String volume) {
        this.volume = volume;
    }
}
