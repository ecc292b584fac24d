package dev.prescient.api.v1alpha1.tier;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Map;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class StorageTierSpec {

    @Required
    @JsonPropertyDescription("The media this tier is made of: PMem, NVMe, SSD or HDD.")
    private Media media;

    @Required
    @Min(0)
    @Max(15)
    @JsonPropertyDescription("Speed rank, 0 = fastest. Hot data is placed on lower ranks, cold data on higher ranks.")
    private Integer rank;

    @Required
    @Size(min = 2, max = 1024)
    @Pattern("^(/[A-Za-z0-9._@+-]+)+$")
    @ValidationRule(value = "!self.matches('(^|/)[.][.]?(/|$)')", message = "path must not contain '.' or '..' segments")
    @ValidationRule(value = "self == oldSelf", message = "path is immutable: replicas already live there; create a new StorageTier instead")
    @JsonPropertyDescription("Absolute directory on each selected node where this tier keeps replica files, e.g. /var/lib/prescient/nvme. Immutable.")
    private String path;

    @Size(max = 32)
    @JsonPropertyDescription("Labels a node must carry to offer this tier; empty means every node running the Prescient node plugin.")
    private Map<String, String> nodeSelector;

    @Min(0)
    @Default("0")
    @JsonPropertyDescription("Cost of one GiB for one month on this tier, in any currency unit used consistently across tiers; the planner weighs it against the benefit of faster media.")
    private Double costPerGiBMonth;

    @Min(1)
    @Max(10000000)
    @Default("100")
    @JsonPropertyDescription("Expected read latency of the media in microseconds (e.g. 100 for NVMe, 5000 for HDD); the planner's prior before it has measurements.")
    private Integer expectedLatencyMicros;

    @Min(0)
    @Max(90)
    @Default("10")
    @JsonPropertyDescription("Percentage of each node's tier capacity kept free; placements that would eat into the reserve are refused.")
    private Integer reservePercent;

    @JsonPropertyDescription("Artificial limits on this tier, for test clusters and local mode where every tier sits on the same disk.")
    private TierThrottle throttle;

    public Media getMedia() {
        return media;
    }

    public void setMedia(Media media) {
        this.media = media;
    }

    public Integer getRank() {
        return rank;
    }

    public void setRank(Integer rank) {
        this.rank = rank;
    }

    public String getPath() {
        return path;
    }

    public void setPath(String path) {
        this.path = path;
    }

    public Map<String, String> getNodeSelector() {
        return nodeSelector;
    }

    public void setNodeSelector(Map<String, String> nodeSelector) {
        this.nodeSelector = nodeSelector;
    }

    public Double getCostPerGiBMonth() {
        return costPerGiBMonth;
    }

    public void setCostPerGiBMonth(Double costPerGiBMonth) {
        this.costPerGiBMonth = costPerGiBMonth;
    }

    public Integer getExpectedLatencyMicros() {
        return expectedLatencyMicros;
    }

    public void setExpectedLatencyMicros(Integer expectedLatencyMicros) {
        this.expectedLatencyMicros = expectedLatencyMicros;
    }

    public Integer getReservePercent() {
        return reservePercent;
    }

    public void setReservePercent(Integer reservePercent) {
        this.reservePercent = reservePercent;
    }

    public TierThrottle getThrottle() {
        return throttle;
    }

    public void setThrottle(TierThrottle throttle) {
        this.throttle = throttle;
    }
}
