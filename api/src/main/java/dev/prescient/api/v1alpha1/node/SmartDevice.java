package dev.prescient.api.v1alpha1.node;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Map;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class SmartDevice {

    @JsonPropertyDescription("Device path, e.g. /dev/nvme0n1.")
    private String device;

    @JsonPropertyDescription("Device model.")
    private String model;

    @JsonPropertyDescription("Overall SMART self-assessment passed.")
    private Boolean passed;

    @JsonPropertyDescription("Raw SMART attribute values by attribute id (e.g. \"5\": reallocated sectors).")
    private Map<String, Long> rawAttributes;

    public String getDevice() {
        return device;
    }

    public void setDevice(String device) {
        this.device = device;
    }

    public String getModel() {
        return model;
    }

    public void setModel(String model) {
        this.model = model;
    }

    public Boolean getPassed() {
        return passed;
    }

    public void setPassed(Boolean passed) {
        this.passed = passed;
    }

    public Map<String, Long> getRawAttributes() {
        return rawAttributes;
    }

    public void setRawAttributes(Map<String, Long> rawAttributes) {
        this.rawAttributes = rawAttributes;
    }
}
