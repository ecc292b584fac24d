package dev.prescient.api.v1alpha1.policy;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class ServiceLevelObjectives {

    @Min(1) @Max(10000000)
    @JsonPropertyDescription("Target p99 read latency in microseconds; hot data is promoted when it is missed.")
    private Integer readLatencyP99Micros;

    @Min(1) @Max(5) @Default("1")
    @JsonPropertyDescription("Least number of healthy replicas; a move never takes a volume below it.")
    private Integer minHealthyReplicas;

    @Min(1) @Max(60000) @Default("50")
    @JsonPropertyDescription("Longest I/O pause a live switchover may cause, in milliseconds; a switchover that would exceed it pre-copies another round or rolls back.")
    private Integer maxSwitchoverPauseMillis;

    public Integer getReadLatencyP99Micros() {
        return readLatencyP99Micros;
    }

    public void setReadLatencyP99Micros(Integer readLatencyP99Micros) {
        this.readLatencyP99Micros = readLatencyP99Micros;
    }

    public Integer getMinHealthyReplicas() {
        return minHealthyReplicas;
    }

    public void setMinHealthyReplicas(Integer minHealthyReplicas) {
        this.minHealthyReplicas = minHealthyReplicas;
    }

    public Integer getMaxSwitchoverPauseMillis() {
        return maxSwitchoverPauseMillis;
    }

    public void setMaxSwitchoverPauseMillis(Integer maxSwitchoverPauseMillis) {
        this.maxSwitchoverPauseMillis = maxSwitchoverPauseMillis;
    }
}
