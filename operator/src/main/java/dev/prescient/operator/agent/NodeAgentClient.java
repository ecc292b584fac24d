package dev.prescient.operator.agent;

import dev.prescient.api.nodeagent.v1.AddReplicaFromSourceRequest;
import dev.prescient.api.nodeagent.v1.CancelOperationRequest;
import dev.prescient.api.nodeagent.v1.CreateReplicaRequest;
import dev.prescient.api.nodeagent.v1.CreateSnapshotRequest;
import dev.prescient.api.nodeagent.v1.DeleteReplicaRequest;
import dev.prescient.api.nodeagent.v1.DeleteReplicaResponse;
import dev.prescient.api.nodeagent.v1.DeleteSnapshotRequest;
import dev.prescient.api.nodeagent.v1.DeleteSnapshotResponse;
import dev.prescient.api.nodeagent.v1.GetOperationRequest;
import dev.prescient.api.nodeagent.v1.ListReplicasRequest;
import dev.prescient.api.nodeagent.v1.ListReplicasResponse;
import dev.prescient.api.nodeagent.v1.NodeHealth;
import dev.prescient.api.nodeagent.v1.Operation;
import dev.prescient.api.nodeagent.v1.Replica;
import dev.prescient.api.nodeagent.v1.ScrubRequest;
import dev.prescient.api.nodeagent.v1.Snapshot;
import dev.prescient.api.nodeagent.v1.SwitchOverRequest;
import dev.prescient.api.nodeagent.v1.TelemetryRequest;
import dev.prescient.api.nodeagent.v1.TelemetrySnapshot;

/**
 * The operator's view of one node agent (node_agent.proto). Every mutating call carries an operation id and is
 * idempotent on the agent side, which is what makes migrations resumable. Failures are {@link NodeAgentException}.
 */
public interface NodeAgentClient extends AutoCloseable {

    Replica createReplica(CreateReplicaRequest request);

    DeleteReplicaResponse deleteReplica(DeleteReplicaRequest request);

    ListReplicasResponse listReplicas(ListReplicasRequest request);

    Operation addReplicaFromSource(AddReplicaFromSourceRequest request);

    Operation switchOver(SwitchOverRequest request);

    /** Makes an in-sync member the volume's read source, dropping nobody (quick: no operation to follow). */
    dev.prescient.api.nodeagent.v1.SetReadSourceResponse setReadSource(
            dev.prescient.api.nodeagent.v1.SetReadSourceRequest request);

    Snapshot createSnapshot(CreateSnapshotRequest request);

    DeleteSnapshotResponse deleteSnapshot(DeleteSnapshotRequest request);

    Operation scrub(ScrubRequest request);

    Operation getOperation(GetOperationRequest request);

    Operation cancelOperation(CancelOperationRequest request);

    TelemetrySnapshot getTelemetry(TelemetryRequest request);

    NodeHealth getNodeHealth();

    @Override
    default void close() {
    }
}
