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
import dev.prescient.api.nodeagent.v1.NodeHealthRequest;
import dev.prescient.api.nodeagent.v1.Operation;
import dev.prescient.api.nodeagent.v1.Replica;
import dev.prescient.api.nodeagent.v1.ScrubRequest;
import dev.prescient.api.nodeagent.v1.Snapshot;
import dev.prescient.api.nodeagent.v1.SwitchOverRequest;
import dev.prescient.api.nodeagent.v1.TelemetryRequest;
import dev.prescient.api.nodeagent.v1.TelemetrySnapshot;
import dev.prescient.api.nodeagent.v1.VolumeTelemetry;
import dev.prescient.testkit.FakeNodeAgent;
import java.util.Map;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The operator's client of one {@link FakeNodeAgent} (the project's one fake node agent), called in process: a
 * failed call becomes the {@link NodeAgentException} that {@link GrpcNodeAgentClient} would throw for the same
 * status. The switches are the fake's.
 */
public final class InMemoryNodeAgent implements NodeAgentClient {

    private final FakeNodeAgent fake;

    InMemoryNodeAgent(FakeNodeAgent fake) {
        this.fake = fake;
    }

    /** The fake behind this client, for switches and inspection the wrappers below do not name. */
    public FakeNodeAgent fake() {
        return fake;
    }

    // ---- failure switches ----

    public void setDown(boolean down) {
        fake.setDown(down);
    }

    /** The next {@code times} calls of the RPC (e.g. "CreateSnapshot") fail with {@code Internal}. */
    public void failNext(String rpc, int times) {
        fake.failNext(rpc, times);
    }

    /** Operations of this kind ("transfer", "switch", "scrub") end FAILED until cleared. */
    public void failOperations(String kind, boolean fail) {
        fake.failOperations(kind, fail);
    }

    /** Calls of the RPC fail as Unavailable (retryable) until unblocked: freezes a migration in its phase. */
    public void block(String rpc, boolean block) {
        fake.block(rpc, block);
    }

    public void setCorruptTransfers(boolean corrupt) {
        fake.setCorruptTransfers(corrupt);
    }

    /** Bytes an operation advances per poll, so a test can observe it RUNNING. */
    public void setChunkBytes(long chunkBytes) {
        fake.setChunkBytes(chunkBytes);
    }

    public void setHealth(double readLatencyP99Micros, double ioErrorsPerSecond) {
        fake.setHealth(readLatencyP99Micros, ioErrorsPerSecond);
    }

    public void setTelemetry(VolumeTelemetry volume) {
        fake.setTelemetry(volume);
    }

    public long calls() {
        return fake.calls();
    }

    // ---- direct access for tests ----

    public String node() {
        return fake.nodeId();
    }

    /** Puts a replica with the given content, as if the CSI driver had created and the workload written it. */
    public void putReplica(String replicaId, String volume, String tier, byte[] data) {
        fake.putReplica(replicaId, volume, tier, data);
    }

    public byte[] replicaData(String replicaId) {
        return fake.replicaData(replicaId);
    }

    public Set<String> replicaIds() {
        return fake.replicaIds();
    }

    public Set<String> snapshotIds() {
        return fake.snapshotIds();
    }

    /** The last SwitchOver request this agent received (null: none), for tests. */
    public SwitchOverRequest lastSwitch() {
        return fake.lastSwitch();
    }

    // ---- NodeAgentClient: each call answered synchronously by the fake ----

    private <T> T call(String rpc, Consumer<StreamObserver<T>> c) {
        Object[] result = new Object[1];
        StatusRuntimeException[] error = new StatusRuntimeException[1];
        c.accept(new StreamObserver<>() {
            @Override
            public void onNext(T value) {
                result[0] = value;
            }

            @Override
            public void onError(Throwable t) {
                error[0] = t instanceof StatusRuntimeException s ? s
                        : io.grpc.Status.fromThrowable(t).asRuntimeException();
            }

            @Override
            public void onCompleted() {
            }
        });
        if (error[0] != null) {
            throw GrpcNodeAgentClient.failure(fake.nodeId(), rpc, error[0]);
        }
        @SuppressWarnings("unchecked")
        T value = (T) result[0];
        return value;
    }

    @Override
    public Replica createReplica(CreateReplicaRequest r) {
        return call("CreateReplica", o -> fake.createReplica(r, o));
    }

    @Override
    public dev.prescient.api.nodeagent.v1.SetReadSourceResponse setReadSource(
            dev.prescient.api.nodeagent.v1.SetReadSourceRequest r) {
        return call("SetReadSource", o -> fake.setReadSource(r, o));
    }

    /** Volume -> the replica SetReadSource chose. */
    public Map<String, String> readSources() {
        return fake.readSources();
    }

    @Override
    public DeleteReplicaResponse deleteReplica(DeleteReplicaRequest r) {
        return call("DeleteReplica", o -> fake.deleteReplica(r, o));
    }

    @Override
    public ListReplicasResponse listReplicas(ListReplicasRequest r) {
        return call("ListReplicas", o -> fake.listReplicas(r, o));
    }

    @Override
    public Operation addReplicaFromSource(AddReplicaFromSourceRequest r) {
        return call("AddReplicaFromSource", o -> fake.addReplicaFromSource(r, o));
    }

    @Override
    public Operation switchOver(SwitchOverRequest r) {
        return call("SwitchOver", o -> fake.switchOver(r, o));
    }

    @Override
    public Snapshot createSnapshot(CreateSnapshotRequest r) {
        return call("CreateSnapshot", o -> fake.createSnapshot(r, o));
    }

    @Override
    public DeleteSnapshotResponse deleteSnapshot(DeleteSnapshotRequest r) {
        return call("DeleteSnapshot", o -> fake.deleteSnapshot(r, o));
    }

    @Override
    public Operation scrub(ScrubRequest r) {
        return call("Scrub", o -> fake.scrub(r, o));
    }

    @Override
    public Operation getOperation(GetOperationRequest r) {
        return call("GetOperation", o -> fake.getOperation(r, o));
    }

    @Override
    public Operation cancelOperation(CancelOperationRequest r) {
        return call("CancelOperation", o -> fake.cancelOperation(r, o));
    }

    @Override
    public TelemetrySnapshot getTelemetry(TelemetryRequest r) {
        return call("GetTelemetry", o -> fake.getTelemetry(r, o));
    }

    @Override
    public NodeHealth getNodeHealth() {
        return call("GetNodeHealth", o -> fake.getNodeHealth(NodeHealthRequest.getDefaultInstance(), o));
    }
}
