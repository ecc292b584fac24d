package dev.prescient.api.v1alpha1.tier;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** Makes a tier slower than its disk, so that tiers differ on machines where they share one disk. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TierThrottle {

    @Min(0)
    @JsonPropertyDescription("Maximum read bandwidth in bytes per second; 0 or absent means unlimited.")
    private Long readBytesPerSecond;

    @Min(0)
    @JsonPropertyDescription("Maximum write bandwidth in bytes per second; 0 or absent means unlimited.")
    private Long writeBytesPerSecond;

    @Min(0)
    @Max(1000000)
    @JsonPropertyDescription("Latency added to every I/O in microseconds.")
    private Integer addedLatencyMicros;

    public Long getReadBytesPerSecond() {
        return readBytesPerSecond;
    }

    public void setReadBytesPerSecond(Long readBytesPerSecond) {
        this.readBytesPerSecond = readBytesPerSecond;
    }

    public Long getWriteBytesPerSecond() {
        return writeBytesPerSecond;
    }

    public void setWriteBytesPerSecond(Long writeBytesPerSecond) {
        this.writeBytesPerSecond = writeBytesPerSecond;
    }

    public Integer getAddedLatencyMicros() {
        return addedLatencyMicros;
    }

    public void setAddedLatencyMicros(Integer addedLatencyMicros) {
        this.addedLatencyMicros = addedLatencyMicros;
    }
}
