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
import dev.prescient.api.nodeagent.v1.NodeAgentGrpc;
import dev.prescient.api.nodeagent.v1.NodeHealth;
import dev.prescient.api.nodeagent.v1.NodeHealthRequest;
import dev.prescient.api.nodeagent.v1.Operation;
import dev.prescient.api.nodeagent.v1.Replica;
import dev.prescient.api.nodeagent.v1.ScrubRequest;
import dev.prescient.api.nodeagent.v1.Snapshot;
import dev.prescient.api.nodeagent.v1.SwitchOverRequest;
import dev.prescient.api.nodeagent.v1.TelemetryRequest;
import dev.prescient.api.nodeagent.v1.TelemetrySnapshot;
import dev.prescient.engine.tls.PemKeys;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.handler.ssl.SslContext;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** The node-agent client over gRPC with mutual TLS from PEM files; gRPC status codes become typed reasons. */
public final class GrpcNodeAgentClient implements NodeAgentClient {

    /** PEM files: this client's certificate and key, and the CA that signed the agents' certificates. */
    public record Tls(Path certificate, Path key, Path ca) {
    }

    /** The name every node-agent certificate carries (csi-driver AgentTls uses the same). */
    public static final String AGENT_AUTHORITY = "prescient-node-agent";

    private final String node;
    private final ManagedChannel channel;
    private final NodeAgentGrpc.NodeAgentBlockingStub stub;
    private final Duration deadline;

    public GrpcNodeAgentClient(String node, String endpoint, Tls tls, Duration deadline) {
        this.node = node;
        this.deadline = deadline;
        int colon = endpoint.lastIndexOf(':');
        NettyChannelBuilder b = NettyChannelBuilder.forAddress(endpoint.substring(0, colon),
                Integer.parseInt(endpoint.substring(colon + 1)));
        if (tls == null) {
            b.usePlaintext();
        } else {
            try {
                SslContext ctx;
                try (InputStream chain = Files.newInputStream(tls.certificate()); InputStream key = PemKeys.pkcs8(tls.key())) {
                    ctx = GrpcSslContexts.forClient().trustManager(tls.ca().toFile()).keyManager(chain, key).build();
                }
                // Agent certificates name the agent role, not the address dialled (a node IP that changes with the
                // node): verify them as the csi-driver's own clients do.
                b.sslContext(ctx).overrideAuthority(AGENT_AUTHORITY);
            } catch (Exception e) {
                throw new NodeAgentException(NodeAgentException.Reason.FailedPrecondition, node,
                        "TLS material unusable: " + e.getMessage(), e);
            }
        }
        this.channel = b.build();
        this.stub = NodeAgentGrpc.newBlockingStub(channel);
    }

    private NodeAgentGrpc.NodeAgentBlockingStub s() {
        return stub.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
    }

    private <T> T call(String rpc, Supplier<T> c) {
        try {
            return c.get();
        } catch (StatusRuntimeException e) {
            throw failure(node, rpc, e);
        }
    }

    /** The one mapping of an agent's gRPC status to a typed reason (also used by the tests' in-memory client). */
    static NodeAgentException failure(String node, String rpc, StatusRuntimeException e) {
        Status.Code code = e.getStatus().getCode();
        NodeAgentException.Reason r = switch (code) {
            case UNAVAILABLE, DEADLINE_EXCEEDED, ABORTED, RESOURCE_EXHAUSTED -> NodeAgentException.Reason.Unavailable;
            case NOT_FOUND -> NodeAgentException.Reason.NotFound;
            case FAILED_PRECONDITION, ALREADY_EXISTS, OUT_OF_RANGE, INVALID_ARGUMENT ->
                    NodeAgentException.Reason.FailedPrecondition;
            default -> NodeAgentException.Reason.Internal;
        };
        return new NodeAgentException(r, node, rpc + ": " + code + " " + e.getStatus().getDescription(), e);
    }

    @Override
    public Replica createReplica(CreateReplicaRequest r) {
        return call("CreateReplica", () -> s().createReplica(r));
    }

    @Override
    public DeleteReplicaResponse deleteReplica(DeleteReplicaRequest r) {
        return call("DeleteReplica", () -> s().deleteReplica(r));
    }

    @Override
    public ListReplicasResponse listReplicas(ListReplicasRequest r) {
        return call("ListReplicas", () -> s().listReplicas(r));
    }

    @Override
    public Operation addReplicaFromSource(AddReplicaFromSourceRequest r) {
        return call("AddReplicaFromSource", () -> s().addReplicaFromSource(r));
    }

    @Override
    public Operation switchOver(SwitchOverRequest r) {
        return call("SwitchOver", () -> s().switchOver(r));
    }

    @Override
    public dev.prescient.api.nodeagent.v1.SetReadSourceResponse setReadSource(
            dev.prescient.api.nodeagent.v1.SetReadSourceRequest r) {
        return call("SetReadSource", () -> s().setReadSource(r));
    }

    @Override
    public Snapshot createSnapshot(CreateSnapshotRequest r) {
        return call("CreateSnapshot", () -> s().createSnapshot(r));
    }

    @Override
    public DeleteSnapshotResponse deleteSnapshot(DeleteSnapshotRequest r) {
        return call("DeleteSnapshot", () -> s().deleteSnapshot(r));
    }

    @Override
    public Operation scrub(ScrubRequest r) {
        return call("Scrub", () -> s().scrub(r));
    }

    @Override
    public Operation getOperation(GetOperationRequest r) {
        return call("GetOperation", () -> s().getOperation(r));
    }

    @Override
    public Operation cancelOperation(CancelOperationRequest r) {
        return call("CancelOperation", () -> s().cancelOperation(r));
    }

    @Override
    public TelemetrySnapshot getTelemetry(TelemetryRequest r) {
        return call("GetTelemetry", () -> s().getTelemetry(r));
    }

    @Override
    public NodeHealth getNodeHealth() {
        return call("GetNodeHealth", () -> s().getNodeHealth(NodeHealthRequest.getDefaultInstance()));
    }

    @Override
    public void close() {
        channel.shutdown();
    }

}
