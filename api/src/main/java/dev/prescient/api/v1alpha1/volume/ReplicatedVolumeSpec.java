package dev.prescient.api.v1alpha1.volume;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.prescient.api.v1alpha1.ApiGroup;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.accessMode != 'MultiNodeMultiWriter' || self.volumeMode == 'Block'",
        message = "accessMode MultiNodeMultiWriter is only supported with volumeMode Block: a file system mounted on two nodes would be corrupted")
@ValidationRule(value = "!has(self.fsType) || self.volumeMode == 'Filesystem'", message = "fsType applies only to volumeMode Filesystem")
@ValidationRule(value = "has(self.fsType) ? (has(oldSelf.fsType) && self.fsType == oldSelf.fsType) : !has(oldSelf.fsType)",
        message = "fsType is immutable: the file system is already made")
@ValidationRule(value = "has(self.source) ? (has(oldSelf.source) && self.source == oldSelf.source) : !has(oldSelf.source)",
        message = "source is immutable: it only says what the volume was created from")
public class ReplicatedVolumeSpec {

    @Required
    @Min(1048576)
    @ValidationRule(value = "self >= oldSelf", message = "capacityBytes may grow but never shrink: shrinking would cut off written data")
    @JsonPropertyDescription("Size of the volume in bytes (at least 1 MiB). May grow (online expansion), never shrink.")
    private Long capacityBytes;

    @Default("Filesystem")
    @ValidationRule(value = "self == oldSelf", message = "volumeMode is immutable")
    @JsonPropertyDescription("Block: the consumer gets the raw device. Filesystem: Prescient makes and mounts a file system.")
    private VolumeMode volumeMode;

    @Default("SingleNodeWriter")
    @JsonPropertyDescription("How many nodes may use the volume at once, and how.")
    private AccessMode accessMode;

    @JsonPropertyDescription("File system made on a blank Filesystem volume: ext4 or xfs. Immutable.")
    private FsType fsType;

    @Required
    @Size(min = 1, max = 253)
    @Pattern(ApiGroup.DNS_SUBDOMAIN)
    @JsonPropertyDescription("Name of the MirrorPolicy governing this volume.")
    private String policy;

    @Required
    @Size(min = 1, max = 253)
    @Pattern(ApiGroup.DNS_SUBDOMAIN)
    @ValidationRule(value = "self == oldSelf", message = "initialTier is immutable: it records where the volume was created; tiering moves replicas afterwards")
    @JsonPropertyDescription("StorageTier the first replica is created on. Immutable; tiering moves the data later.")
    private String initialTier;

    @Min(1) @Max(5) @Default("1")
    @JsonPropertyDescription("Base number of replicas; the policy's heat classes may add more for hot data.")
    private Integer replicas;

    @JsonPropertyDescription("What the volume's initial content is copied from: a snapshot or another volume. Immutable.")
    private VolumeSource source;

    @JsonPropertyDescription("Nodes and zones the volume's replicas may or should be placed on (from CSI topology requirements).")
    private Placement placement;

    @JsonPropertyDescription("The PersistentVolumeClaim this volume was provisioned for.")
    private ClaimReference claim;

    @Size(max = 253)
    @JsonPropertyDescription("Name of the PersistentVolume backed by this volume.")
    private String persistentVolumeName;

    public Long getCapacityBytes() {
        return capacityBytes;
    }

    public void setCapacityBytes(Long capacityBytes) {
        this.capacityBytes = capacityBytes;
    }

    public VolumeMode getVolumeMode() {
        return volumeMode;
    }

    public void setVolumeMode(VolumeMode volumeMode) {
        this.volumeMode = volumeMode;
    }

    public AccessMode getAccessMode() {
        return accessMode;
    }

    public void setAccessMode(AccessMode accessMode) {
        this.accessMode = accessMode;
    }

    public FsType getFsType() {
        return fsType;
    }

    public void setFsType(FsType fsType) {
        this.fsType = fsType;
    }

    public String getPolicy() {
        return policy;
    }

    public void setPolicy(String policy) {
        this.policy = policy;
    }

    public String getInitialTier() {
        return initialTier;
    }

    public void setInitialTier(String initialTier) {
        this.initialTier = initialTier;
    }

    public Integer getReplicas() {
        return replicas;
    }

    public void setReplicas(Integer replicas) {
        this.replicas = replicas;
    }

    public VolumeSource getSource() {
        return source;
    }

    public void setSource(VolumeSource source) {
        this.source = source;
    }

    public Placement getPlacement() {
        return placement;
    }

    public void setPlacement(Placement placement) {
        this.placement = placement;
    }

    public ClaimReference getClaim() {
        return claim;
    }

    public void setClaim(ClaimReference claim) {
        this.claim = claim;
    }

    public String getPersistentVolumeName() {
        return persistentVolumeName;
    }

    public void setPersistentVolumeName(String persistentVolumeName) {
        this.persistentVolumeName = persistentVolumeName;
    }
}
