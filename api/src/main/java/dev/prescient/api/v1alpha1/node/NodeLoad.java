package dev.prescient.api.v1alpha1.node;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class NodeLoad {

    @JsonPropertyDescription("Read operations per second.")
    private Double readIops;

    @JsonPropertyDescription("Write operations per second.")
    private Double writeIops;

    @JsonPropertyDescription("Read bytes per second.")
    private Double readBytesPerSecond;

    @JsonPropertyDescription("Written bytes per second.")
    private Double writeBytesPerSecond;

    @JsonPropertyDescription("Replicas hosted.")
    private Integer replicas;

    @JsonPropertyDescription("Migrations reading from or writing to this node now.")
    private Integer migrationsInFlight;

    public Double getReadIops() {
        return readIops;
    }

    public void setReadIops(Double readIops) {
        this.readIops = readIops;
    }

    public Double getWriteIops() {
        return writeIops;
    }

    public void setWriteIops(Double writeIops) {
        this.writeIops = writeIops;
    }

    public Double getReadBytesPerSecond() {
        return readBytesPerSecond;
    }

    public void setReadBytesPerSecond(Double readBytesPerSecond) {
        this.readBytesPerSecond = readBytesPerSecond;
    }

    public Double getWriteBytesPerSecond() {
        return writeBytesPerSecond;
    }

    public void setWriteBytesPerSecond(Double writeBytesPerSecond) {
        this.writeBytesPerSecond = writeBytesPerSecond;
    }

    public Integer getReplicas() {
        return replicas;
    }

    public void setReplicas(Integer replicas) {
        this.replicas = replicas;
    }

    public Integer getMigrationsInFlight() {
        return migrationsInFlight;
    }

    public void setMigrationsInFlight(Integer migrationsInFlight) {
        this.migrationsInFlight = migrationsInFlight;
    }
}
