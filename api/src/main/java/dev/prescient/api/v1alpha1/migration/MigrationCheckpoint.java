package dev.prescient.api.v1alpha1.migration;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class MigrationCheckpoint {

    @JsonPropertyDescription("Id of the node-agent operation of the current phase; repeating it with the same id is idempotent.")
    private String operationId;

    @JsonPropertyDescription("Snapshot taken in Snapshotting that the transfer copies from.")
    private String snapshotId;

    @JsonPropertyDescription("Id of the replica created on the target.")
    private String targetReplicaId;

    @JsonPropertyDescription("True once the replica set was switched: from then on the migration can only go forward.")
    private Boolean switched;

    public String getOperationId() {
        return operationId;
    }

    public void setOperationId(String operationId) {
        this.operationId = operationId;
    }

    public String getSnapshotId() {
        return snapshotId;
    }

    public void setSnapshotId(String snapshotId) {
        this.snapshotId = snapshotId;
    }

    public String getTargetReplicaId() {
        return targetReplicaId;
    }

    public void setTargetReplicaId(String targetReplicaId) {
        this.targetReplicaId = targetReplicaId;
    }

    public Boolean getSwitched() {
        return switched;
    }

    public void setSwitched(Boolean switched) {
        this.switched = switched;
    }
}
