package dev.prescient.api.v1alpha1.node;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class HealthSignals {

    @JsonPropertyDescription("p99 read latency over the last interval, microseconds.")
    private Double readLatencyP99Micros;

    @JsonPropertyDescription("p99 write latency over the last interval, microseconds.")
    private Double writeLatencyP99Micros;

    @JsonPropertyDescription("I/O errors per million operations over the last interval.")
    private Double ioErrorsPerMillion;

    @JsonPropertyDescription("SMART data of the node's devices, where smartctl and the devices are available.")
    private List<SmartDevice> devices;

    public Double getReadLatencyP99Micros() {
        return readLatencyP99Micros;
    }

    public void setReadLatencyP99Micros(Double readLatencyP99Micros) {
        this.readLatencyP99Micros = readLatencyP99Micros;
    }

    public Double getWriteLatencyP99Micros() {
        return writeLatencyP99Micros;
    }

    public void setWriteLatencyP99Micros(Double writeLatencyP99Micros) {
        this.writeLatencyP99Micros = writeLatencyP99Micros;
    }

    public Double getIoErrorsPerMillion() {
        return ioErrorsPerMillion;
    }

    public void setIoErrorsPerMillion(Double ioErrorsPerMillion) {
        this.ioErrorsPerMillion = ioErrorsPerMillion;
    }

    public List<SmartDevice> getDevices() {
        return devices;
    }

    public void setDevices(List<SmartDevice> devices) {
        this.devices = devices;
    }
}
