package dev.prescient.csi.agent.fake;

import dev.prescient.api.nodeagent.v1.*;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory node agent with switches for failures: a test fixture for the controller and the
 * operator. It keeps replicas and snapshots as records only (no data), answers long operations
 * as finished at once, and counts calls so tests can assert what reached the node.
 */
public class FakeNodeAgent extends NodeAgentGrpc.NodeAgentImplBase {
    private final String nodeId;
    private final String zone;
    private final Map<String, Replica> replicas = new ConcurrentSkipListMap<>();
    private final Map<String, Snapshot> snapshots = new ConcurrentSkipListMap<>();
    private final Map<String, Operation> operations = new ConcurrentHashMap<>();
    private final Map<String, Long> tierCapacity = new ConcurrentHashMap<>();
    private final Map<String, Status> failNext = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private volatile Status failAll;
    private volatile long delayMillis;
    private Server server;

    public FakeNodeAgent(String nodeId, String zone) {
        this.nodeId = nodeId;
        this.zone = zone;
        tierCapacity.put("default", 100L << 30);
    }

    // ------------------------------------------------------------ switches

    /** The next call of {@code method} (e.g. "CreateReplica") fails with {@code status}. */
    public FakeNodeAgent failNext(String method, Status status) {
        failNext.put(method, status);
        return this;
    }

    /** Every call fails with {@code status} (null clears): a node that is down or refusing. */
    public FakeNodeAgent failAll(Status status) {
        this.failAll = status;
        return this;
    }

    /** Every call sleeps first: to hold a lock while another call arrives. */
    public FakeNodeAgent delay(long millis) {
        this.delayMillis = millis;
        return this;
    }

    public FakeNodeAgent tierCapacity(String tier, long bytes) {
        tierCapacity.put(tier, bytes);
        return this;
    }

    public int calls(String method) {
        AtomicInteger n = calls.get(method);
        return n == null ? 0 : n.get();
    }

    public Map<String, Replica> replicas() {
        return Map.copyOf(replicas);
    }

    public Map<String, Snapshot> snapshots() {
        return Map.copyOf(snapshots);
    }

    public String nodeId() {
        return nodeId;
    }

    public String zone() {
        return zone;
    }

    /** Serves on 127.0.0.1 (plaintext; the fake is for tests) and returns the host:port. */
    public String start() throws IOException {
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(this).build().start();
        return "127.0.0.1:" + server.getPort();
    }

    public void stop() {
        if (server != null) {
            server.shutdownNow();
        }
    }

    private boolean enter(String method, StreamObserver<?> out) {
        calls.computeIfAbsent(method, k -> new AtomicInteger()).incrementAndGet();
        if (delayMillis > 0) {
            try {
                Thread.sleep(delayMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Status s = failAll != null ? failAll : failNext.remove(method);
        if (s != null) {
            out.onError(s.withDescription("fake node agent " + nodeId + ": injected failure in " + method)
                    .asRuntimeException());
            return false;
        }
        return true;
    }

    private static <T> void reply(StreamObserver<T> out, T value) {
        out.onNext(value);
        out.onCompleted();
    }

    private long used(String tier) {
        return replicas.values().stream().filter(r -> r.getTier().equals(tier)).mapToLong(Replica::getSizeBytes).sum();
    }

    // ------------------------------------------------------------ service

    @Override
    public void createReplica(CreateReplicaRequest req, StreamObserver<Replica> out) {
        if (!enter("CreateReplica", out)) {
            return;
        }
        Replica existing = replicas.get(req.getReplicaId());
        if (existing != null) {
            reply(out, existing);
            return;
        }
        long cap = tierCapacity.getOrDefault(req.getTier(), 0L);
        if (cap - used(req.getTier()) < req.getSizeBytes()) {
            out.onError(Status.RESOURCE_EXHAUSTED.withDescription("NoSpace: tier " + req.getTier() + " on " + nodeId)
                    .asRuntimeException());
            return;
        }
        if (!req.getSourceSnapshotId().isEmpty() && !snapshots.containsKey(req.getSourceSnapshotId())) {
            out.onError(Status.NOT_FOUND.withDescription("snapshot " + req.getSourceSnapshotId()).asRuntimeException());
            return;
        }
        Replica r = Replica.newBuilder().setReplicaId(req.getReplicaId()).setVolumeId(req.getVolumeId())
                .setNodeId(nodeId).setTier(req.getTier()).setSizeBytes(req.getSizeBytes())
                .setState(ReplicaState.REPLICA_STATE_HEALTHY).setGeneration(1)
                .setNbdEndpoint("nbd://127.0.0.1:10809/" + req.getReplicaId()).build();
        replicas.put(r.getReplicaId(), r);
        reply(out, r);
    }

    @Override
    public void deleteReplica(DeleteReplicaRequest req, StreamObserver<DeleteReplicaResponse> out) {
        if (enter("DeleteReplica", out)) {
            reply(out, DeleteReplicaResponse.newBuilder().setExisted(replicas.remove(req.getReplicaId()) != null).build());
        }
    }

    @Override
    public void listReplicas(ListReplicasRequest req, StreamObserver<ListReplicasResponse> out) {
        if (enter("ListReplicas", out)) {
            reply(out, ListReplicasResponse.newBuilder().addAllReplicas(replicas.values().stream()
                    .filter(r -> req.getVolumeId().isEmpty() || r.getVolumeId().equals(req.getVolumeId())).toList())
                    .build());
        }
    }

    @Override
    public void expandReplica(ExpandReplicaRequest req, StreamObserver<Replica> out) {
        if (!enter("ExpandReplica", out)) {
            return;
        }
        Replica r = replicas.get(req.getReplicaId());
        if (r == null) {
            out.onError(Status.NOT_FOUND.withDescription("replica " + req.getReplicaId()).asRuntimeException());
            return;
        }
        Replica grown = r.toBuilder().setSizeBytes(Math.max(r.getSizeBytes(), req.getNewSizeBytes())).build();
        replicas.put(grown.getReplicaId(), grown);
        reply(out, grown);
    }

    private Operation finished(String id, String kind) {
        long now = System.currentTimeMillis();
        return operations.computeIfAbsent(id, k -> Operation.newBuilder().setOperationId(id).setKind(kind)
                .setPhase(OperationPhase.OPERATION_PHASE_SUCCEEDED).setStartedUnixMillis(now)
                .setFinishedUnixMillis(now).build());
    }

    @Override
    public void addReplicaFromSource(AddReplicaFromSourceRequest req, StreamObserver<Operation> out) {
        if (enter("AddReplicaFromSource", out)) {
            replicas.putIfAbsent(req.getReplicaId(), Replica.newBuilder().setReplicaId(req.getReplicaId())
                    .setVolumeId(req.getVolumeId()).setNodeId(nodeId).setTier(req.getTier())
                    .setState(ReplicaState.REPLICA_STATE_HEALTHY).build());
            reply(out, finished(req.getOperationId(), "AddReplicaFromSource"));
        }
    }

    @Override
    public void switchOver(SwitchOverRequest req, StreamObserver<Operation> out) {
        if (enter("SwitchOver", out)) {
            reply(out, finished(req.getOperationId(), "SwitchOver"));
        }
    }

    @Override
    public void scrub(ScrubRequest req, StreamObserver<Operation> out) {
        if (enter("Scrub", out)) {
            reply(out, finished(req.getOperationId(), "Scrub"));
        }
    }

    @Override
    public void getOperation(GetOperationRequest req, StreamObserver<Operation> out) {
        if (!enter("GetOperation", out)) {
            return;
        }
        Operation op = operations.get(req.getOperationId());
        if (op == null) {
            out.onError(Status.NOT_FOUND.withDescription("operation " + req.getOperationId()).asRuntimeException());
        } else {
            reply(out, op);
        }
    }

    @Override
    public void watchOperation(GetOperationRequest req, StreamObserver<Operation> out) {
        getOperation(req, out);
    }

    @Override
    public void cancelOperation(CancelOperationRequest req, StreamObserver<Operation> out) {
        getOperation(GetOperationRequest.newBuilder().setOperationId(req.getOperationId()).build(), out);
    }

    @Override
    public void createSnapshot(CreateSnapshotRequest req, StreamObserver<Snapshot> out) {
        if (!enter("CreateSnapshot", out)) {
            return;
        }
        Replica r = replicas.get(req.getReplicaId());
        if (r == null) {
            out.onError(Status.NOT_FOUND.withDescription("replica " + req.getReplicaId()).asRuntimeException());
            return;
        }
        reply(out, snapshots.computeIfAbsent(req.getSnapshotId(), k -> Snapshot.newBuilder().setSnapshotId(k)
                .setSourceReplicaId(r.getReplicaId()).setVolumeId(r.getVolumeId()).setSizeBytes(r.getSizeBytes())
                .setCreatedUnixMillis(System.currentTimeMillis()).setReady(true).build()));
    }

    @Override
    public void deleteSnapshot(DeleteSnapshotRequest req, StreamObserver<DeleteSnapshotResponse> out) {
        if (enter("DeleteSnapshot", out)) {
            reply(out, DeleteSnapshotResponse.newBuilder().setExisted(snapshots.remove(req.getSnapshotId()) != null)
                    .build());
        }
    }

    @Override
    public void listSnapshots(ListSnapshotsRequest req, StreamObserver<ListSnapshotsResponse> out) {
        if (enter("ListSnapshots", out)) {
            reply(out, ListSnapshotsResponse.newBuilder().addAllSnapshots(snapshots.values().stream()
                    .filter(s -> req.getReplicaId().isEmpty() || s.getSourceReplicaId().equals(req.getReplicaId()))
                    .toList()).build());
        }
    }

    @Override
    public void getTelemetry(TelemetryRequest req, StreamObserver<TelemetrySnapshot> out) {
        if (enter("GetTelemetry", out)) {
            reply(out, TelemetrySnapshot.newBuilder().setNodeId(nodeId).setTakenUnixMillis(System.currentTimeMillis())
                    .build());
        }
    }

    @Override
    public void getNodeHealth(NodeHealthRequest req, StreamObserver<NodeHealth> out) {
        if (!enter("GetNodeHealth", out)) {
            return;
        }
        List<TierUsage> tiers = new ArrayList<>();
        tierCapacity.forEach((t, cap) -> tiers.add(TierUsage.newBuilder().setTier(t).setCapacityBytes(cap)
                .setUsedBytes(used(t)).setAvailableBytes(Math.max(0, cap - used(t))).build()));
        reply(out, NodeHealth.newBuilder().setNodeId(nodeId).setZone(zone).addAllTiers(tiers)
                .setReplicaCount(replicas.size()).build());
    }
}
