package dev.prescient.api.v1alpha1.policy;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.prescient.api.v1alpha1.ApiGroup;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.mode == 'Sync' || has(self.maxLag)", message = "maxLag is required when mode is Async: it bounds how much acknowledged data a lagging replica may miss")
@ValidationRule(value = "self.mode == 'Async' || !has(self.maxLag)", message = "maxLag applies only to mode Async; Sync replicas never lag")
public class ReplicationSettings {

    @Default("Sync")
    @JsonPropertyDescription("Sync: a write is acknowledged once every replica has it. Async: replicas other than the primary may lag up to maxLag.")
    private ReplicationMode mode;

    @Pattern(ApiGroup.DURATION)
    @ValidationRule(value = "duration(self) > duration('0s') && duration(self) <= duration('1h')", message = "maxLag must be greater than 0s and at most 1h")
    @JsonPropertyDescription("With mode Async: the furthest an async replica may fall behind, as a duration.")
    private String maxLag;

    @Default("LZ4")
    @JsonPropertyDescription("Compression of blocks on the wire between nodes: None, LZ4 (fast) or Zstd (smaller).")
    private Compression compression;

    @Default("true")
    @JsonPropertyDescription("Skip blocks whose hash the target already holds when synchronising.")
    private Boolean dedup;

    public ReplicationMode getMode() {
        return mode;
    }

    public void setMode(ReplicationMode mode) {
        this.mode = mode;
    }

    public String getMaxLag() {
        return maxLag;
    }

    public void setMaxLag(String maxLag) {
        this.maxLag = maxLag;
    }

    public Compression getCompression() {
        return compression;
    }

    public void setCompression(Compression compression) {
        this.compression = compression;
    }

    public Boolean getDedup() {
        return dedup;
    }

    public void setDedup(Boolean dedup) {
        this.dedup = dedup;
    }
}
