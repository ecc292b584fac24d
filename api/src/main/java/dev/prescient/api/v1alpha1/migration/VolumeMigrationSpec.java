package dev.prescient.api.v1alpha1.migration;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.prescient.api.v1alpha1.ApiGroup;
import dev.prescient.api.v1alpha1.common.NodeTier;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.from.node != self.to.node || self.from.tier != self.to.tier",
        message = "from and to must differ in node or tier: a migration to the same place moves nothing")
@ValidationRule(value = "self.volume == oldSelf.volume && self.from == oldSelf.from && self.to == oldSelf.to && self.reason == oldSelf.reason && self.keepSource == oldSelf.keepSource",
        message = "volume, from, to, reason and keepSource are immutable: create a new VolumeMigration instead")
@ValidationRule(value = "!oldSelf.cancel || self.cancel", message = "a cancelled migration cannot be resumed")
@ValidationRule(value = "!has(self.expireAfter) || self.keepSource",
        message = "expireAfter applies only with keepSource: only an added replica (pre-staging, evacuation) can expire")
public class VolumeMigrationSpec {

    @Required
    @Size(min = 1, max = 253)
    @Pattern(ApiGroup.DNS_SUBDOMAIN)
    @JsonPropertyDescription("Name of the ReplicatedVolume to move.")
    private String volume;

    @Required
    @JsonPropertyDescription("The replica the data is copied from (it stays authoritative until the switch).")
    private NodeTier from;

    @Required
    @JsonPropertyDescription("Where the new replica is made.")
    private NodeTier to;

    @Required
    @JsonPropertyDescription("Why: Affinity, PredictedFailure, Tiering, Capacity or Manual.")
    private MigrationReason reason;

    @Default("false")
    @JsonPropertyDescription("Keep the source replica after the switch (adds a replica: pre-staging, mirroring, evacuation) instead of moving it.")
    private Boolean keepSource;

    @Pattern(ApiGroup.DURATION)
    @JsonPropertyDescription("With keepSource: remove the added replica again after this long unless it was used (pre-staging) or the predicted failure came (evacuation).")
    private String expireAfter;

    @Pattern(ApiGroup.QUANTITY)
    @JsonPropertyDescription("Bandwidth limit in bytes per second as a quantity (e.g. 100Mi); defaults to the policy's.")
    private String bandwidthLimit;

    @Default("false")
    @JsonPropertyDescription("Set to true to stop the migration; it rolls back unless it already switched over.")
    private Boolean cancel;

    @Size(max = 4096)
    @JsonPropertyDescription("Why the planner (or a person) asked for this move: the scores and forecasts behind it.")
    private String explanation;

    public String getVolume() {
        return volume;
    }

    public void setVolume(String volume) {
        this.volume = volume;
    }

    public NodeTier getFrom() {
        return from;
    }

    public void setFrom(NodeTier from) {
        this.from = from;
    }

    public NodeTier getTo() {
        return to;
    }

    public void setTo(NodeTier to) {
        this.to = to;
    }

    public MigrationReason getReason() {
        return reason;
    }

    public void setReason(MigrationReason reason) {
        this.reason = reason;
    }

    public Boolean getKeepSource() {
        return keepSource;
    }

    public void setKeepSource(Boolean keepSource) {
        this.keepSource = keepSource;
    }

    public String getExpireAfter() {
        return expireAfter;
    }

    public void setExpireAfter(String expireAfter) {
        this.expireAfter = expireAfter;
    }

    public String getBandwidthLimit() {
        return bandwidthLimit;
    }

    public void setBandwidthLimit(String bandwidthLimit) {
        this.bandwidthLimit = bandwidthLimit;
    }

    public Boolean getCancel() {
        return cancel;
    }

    public void setCancel(Boolean cancel) {
        this.cancel = cancel;
    }

    public String getExplanation() {
        return explanation;
    }

    public void setExplanation(String explanation) {
        this.explanation = explanation;
    }
}
