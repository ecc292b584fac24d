package dev.prescient.testkit;

import dev.prescient.api.nodeagent.v1.*;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The one fake of the node agent (node_agent.proto), for the csi-driver's and the operator's tests: replicas hold
 * bytes (zero until written, so a large replica costs nothing), snapshots copy them, long operations advance a
 * chunk per poll, and every mutating call is idempotent by its id, like the real agent's contract. Switches inject
 * failures: one status for every call ({@link #failAll}, {@link #setDown}), the next call(s) of an RPC
 * ({@link #failNext}), RPCs blocked as UNAVAILABLE ({@link #block}), operations of a kind failing
 * ({@link #failOperations}), transfers that corrupt what they copy, a delay before every call. Calls are counted.
 *
 * <p>As a gRPC service it is served by {@link #start()} (csi-driver tests); the operator's tests call its methods
 * through an adapter. Agents of one test {@link #joinCluster join a cluster} to copy from and scrub against each
 * other and to tell the consumer-side switch where the volume went.
 */
public class FakeNodeAgent extends NodeAgentGrpc.NodeAgentImplBase {

    private static final class Stored {
        final String volume;
        final String tier;
        final long size;
        byte[] data; // null: all zero
        final long generation;

        Stored(String volume, String tier, long size, byte[] data, long generation) {
            this.volume = volume;
            this.tier = tier;
            this.size = size;
            this.data = data;
            this.generation = generation;
        }

        byte[] bytes() {
            if (data == null) {
                data = new byte[Math.toIntExact(size)];
            }
            return data;
        }
    }

    private final String nodeId;
    private final String zone;
    private final Map<String, Stored> replicas = new ConcurrentSkipListMap<>();
    private final Map<String, Snapshot> snapshots = new ConcurrentSkipListMap<>();
    private final Map<String, byte[]> snapshotData = new ConcurrentHashMap<>();
    private final Map<String, Operation> operations = new ConcurrentHashMap<>();
    private final Map<String, Runnable> completions = new ConcurrentHashMap<>();
    private final Map<String, Long> tierCapacity = new ConcurrentSkipListMap<>();
    private final InjectedFailures failures = new InjectedFailures();
    private final Map<String, VolumeTelemetry> telemetry = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final AtomicLong allCalls = new AtomicLong();
    private volatile boolean corruptTransfers;
    private volatile long chunkBytes = Long.MAX_VALUE;
    private volatile double readLatencyP99 = 200;
    private volatile double ioErrorsPerSecond;
    private volatile SwitchOverRequest lastSwitch;
    private volatile Function<String, FakeNodeAgent> cluster = address -> null;
    private volatile BiConsumer<String, String> onSwitched = (volume, replica) -> { };
    private Server server;

    /** A node with one tier, {@code default}, of 100 GiB. */
    public FakeNodeAgent(String nodeId, String zone) {
        this.nodeId = nodeId;
        this.zone = zone;
        tierCapacity.put("default", 100L << 30);
    }

    // ------------------------------------------------------------ switches

    /** The next call of {@code method} (e.g. "CreateReplica") fails with {@code status}. */
    public FakeNodeAgent failNext(String method, Status status) {
        failures.failNext(method, status);
        return this;
    }

    /** The next {@code times} calls of {@code method} fail with INTERNAL. */
    public FakeNodeAgent failNext(String method, int times) {
        failures.failNext(method, times);
        return this;
    }

    /** Every call fails with {@code status} (null clears): a node that is down or refusing. */
    public FakeNodeAgent failAll(Status status) {
        failures.failAll(status);
        return this;
    }

    /** The agent is down (every call UNAVAILABLE) or back. */
    public FakeNodeAgent setDown(boolean down) {
        return failAll(down ? Status.UNAVAILABLE.withDescription("agent down") : null);
    }

    /** Calls of {@code method} fail as UNAVAILABLE (retryable) until unblocked: freezes a migration in its phase. */
    public FakeNodeAgent block(String method, boolean block) {
        failures.block(method, block);
        return this;
    }

    /** Operations of this kind ("transfer", "switch", "scrub") end FAILED until cleared. */
    public FakeNodeAgent failOperations(String kind, boolean fail) {
        failures.failOperations(kind, fail);
        return this;
    }

    /** Every call sleeps first: to hold a lock while another call arrives. */
    public FakeNodeAgent delay(long millis) {
        failures.delay(millis);
        return this;
    }

    public FakeNodeAgent tierCapacity(String tier, long bytes) {
        tierCapacity.put(tier, bytes);
        return this;
    }

    /** Exactly these tiers (the default one goes unless named). */
    public FakeNodeAgent tiers(Map<String, Long> capacityByTier) {
        tierCapacity.clear();
        tierCapacity.putAll(capacityByTier);
        return this;
    }

    public FakeNodeAgent setCorruptTransfers(boolean corrupt) {
        this.corruptTransfers = corrupt;
        return this;
    }

    /** Bytes an operation advances per poll, so a test can observe it RUNNING. */
    public FakeNodeAgent setChunkBytes(long chunkBytes) {
        this.chunkBytes = chunkBytes;
        return this;
    }

    public FakeNodeAgent setHealth(double readLatencyP99Micros, double ioErrorsPerSecond) {
        this.readLatencyP99 = readLatencyP99Micros;
        this.ioErrorsPerSecond = ioErrorsPerSecond;
        return this;
    }

    public FakeNodeAgent setTelemetry(VolumeTelemetry volume) {
        telemetry.put(volume.getVolumeId(), volume);
        return this;
    }

    /**
     * @param byAddress  the agent behind a replication address (for AddReplicaFromSource and Scrub peers)
     * @param onSwitched told (volume, new replica) when a switchover succeeds: the consumer side follows it
     */
    public FakeNodeAgent joinCluster(Function<String, FakeNodeAgent> byAddress, BiConsumer<String, String> onSwitched) {
        this.cluster = byAddress;
        this.onSwitched = onSwitched;
        return this;
    }

    // ------------------------------------------------------------ what tests look at

    public int calls(String method) {
        AtomicInteger n = calls.get(method);
        return n == null ? 0 : n.get();
    }

    /** Every call so far, of any RPC. */
    public long calls() {
        return allCalls.get();
    }

    public Map<String, Replica> replicas() {
        Map<String, Replica> out = new TreeMap<>();
        replicas.forEach((id, s) -> out.put(id, describe(id, s)));
        return out;
    }

    public Map<String, Snapshot> snapshots() {
        return Map.copyOf(snapshots);
    }

    public Set<String> replicaIds() {
        return new HashSet<>(replicas.keySet());
    }

    public Set<String> snapshotIds() {
        return new HashSet<>(snapshots.keySet());
    }

    /** A copy of the replica's bytes, or null when there is no such replica. */
    public synchronized byte[] replicaData(String replicaId) {
        Stored s = replicas.get(replicaId);
        return s == null ? null : s.bytes().clone();
    }

    /** Puts a replica with the given content, as if the CSI driver had created and the workload written it. */
    public synchronized void putReplica(String replicaId, String volume, String tier, byte[] data) {
        replicas.put(replicaId, new Stored(volume, tier, data.length, data.clone(), 1));
    }

    /** The last SwitchOver request this agent received (null: none). */
    public SwitchOverRequest lastSwitch() {
        return lastSwitch;
    }

    public String nodeId() {
        return nodeId;
    }

    public String zone() {
        return zone;
    }

    /** Serves on a free port (plaintext; the fake is for tests) and returns 127.0.0.1:port. */
    public String start() throws IOException {
        server = ServerBuilder.forPort(0).addService(this).build().start();
        return "127.0.0.1:" + server.getPort();
    }

    public void stop() {
        if (server != null) {
            server.shutdownNow();
        }
    }

    // ------------------------------------------------------------ plumbing

    /** Counts the call, sleeps the delay, then throws the failure a switch injects (outside any lock). */
    private void enter(String method) {
        allCalls.incrementAndGet();
        calls.computeIfAbsent(method, k -> new AtomicInteger()).incrementAndGet();
        Status s = failures.before(method);
        if (s != null) {
            String why = s.getDescription() == null ? "injected failure in " + method : s.getDescription();
            throw s.withDescription("fake node agent " + nodeId + ": " + why).asRuntimeException();
        }
    }

    private static StatusRuntimeException error(Status.Code code, String message) {
        return Status.fromCode(code).withDescription(message).asRuntimeException();
    }

    /** Runs {@code body} under this agent's lock after {@link #enter} and answers the call with its result. */
    private <T> void serve(String method, StreamObserver<T> out, Supplier<T> body) {
        T value;
        try {
            enter(method);
            synchronized (this) {
                value = body.get();
            }
        } catch (StatusRuntimeException e) {
            out.onError(e);
            return;
        }
        out.onNext(value);
        out.onCompleted();
    }

    private long used(String tier) {
        return replicas.values().stream().filter(r -> r.tier.equals(tier)).mapToLong(r -> r.size).sum();
    }

    private Replica describe(String id, Stored s) {
        return Replica.newBuilder().setReplicaId(id).setVolumeId(s.volume).setNodeId(nodeId).setTier(s.tier)
                .setSizeBytes(s.size).setState(ReplicaState.REPLICA_STATE_HEALTHY)
                .setAllocatedBytes(s.data == null ? 0 : s.data.length).setGeneration(s.generation)
                .setNbdEndpoint("nbd://127.0.0.1:10809/" + id).build();
    }

    private Operation start(String id, String kind, long total, Runnable onSuccess) {
        Operation op = Operation.newBuilder().setOperationId(id).setKind(kind)
                .setPhase(OperationPhase.OPERATION_PHASE_RUNNING).setBytesTotal(total)
                .setStartedUnixMillis(System.currentTimeMillis()).build();
        operations.put(id, op);
        completions.put(id, onSuccess);
        return advance(op);
    }

    /** One poll's worth of progress; the completion effect runs exactly once, when the operation succeeds. */
    private Operation advance(Operation op) {
        if (op.getPhase() != OperationPhase.OPERATION_PHASE_RUNNING) {
            return op;
        }
        Operation.Builder b = op.toBuilder();
        if (failures.operationFails(op.getKind())) {
            b.setPhase(OperationPhase.OPERATION_PHASE_FAILED).setReason("Injected")
                    .setMessage(op.getKind() + " failed (injected)").setFinishedUnixMillis(System.currentTimeMillis());
        } else {
            long done = Math.min(op.getBytesTotal(), op.getBytesDone() + Math.max(1, chunkBytes));
            b.setBytesDone(done);
            if (done >= op.getBytesTotal()) {
                completions.remove(op.getOperationId()).run();
                b.setPhase(OperationPhase.OPERATION_PHASE_SUCCEEDED).setFinishedUnixMillis(System.currentTimeMillis());
                if (op.getKind().equals("switch")) {
                    b.setPauseMicros(1500);
                }
            }
        }
        Operation next = b.build();
        operations.put(op.getOperationId(), next);
        return next;
    }

    private byte[] peerData(String address, String replicaId) {
        FakeNodeAgent peer = cluster.apply(address);
        return peer == null ? null : peer.replicaData(replicaId);
    }

    // ------------------------------------------------------------ replicas

    @Override
    public void createReplica(CreateReplicaRequest req, StreamObserver<Replica> out) {
        serve("CreateReplica", out, () -> {
            Stored existing = replicas.get(req.getReplicaId());
            if (existing != null) {
                return describe(req.getReplicaId(), existing);
            }
            long cap = tierCapacity.getOrDefault(req.getTier(), 0L);
            if (cap - used(req.getTier()) < req.getSizeBytes()) {
                throw error(Status.Code.RESOURCE_EXHAUSTED, "NoSpace: tier " + req.getTier() + " on " + nodeId);
            }
            byte[] from = null;
            if (!req.getSourceSnapshotId().isEmpty()) {
                if (!snapshots.containsKey(req.getSourceSnapshotId())) {
                    throw error(Status.Code.NOT_FOUND, "snapshot " + req.getSourceSnapshotId());
                }
                byte[] d = snapshotData.get(req.getSourceSnapshotId());
                from = d == null ? null : Arrays.copyOf(d, Math.toIntExact(req.getSizeBytes()));
            }
            Stored s = new Stored(req.getVolumeId(), req.getTier(), req.getSizeBytes(), from, 1);
            replicas.put(req.getReplicaId(), s);
            return describe(req.getReplicaId(), s);
        });
    }

    @Override
    public void deleteReplica(DeleteReplicaRequest req, StreamObserver<DeleteReplicaResponse> out) {
        serve("DeleteReplica", out, () -> DeleteReplicaResponse.newBuilder()
                .setExisted(replicas.remove(req.getReplicaId()) != null).build());
    }

    @Override
    public void listReplicas(ListReplicasRequest req, StreamObserver<ListReplicasResponse> out) {
        serve("ListReplicas", out, () -> {
            ListReplicasResponse.Builder b = ListReplicasResponse.newBuilder();
            replicas.forEach((id, s) -> {
                if (req.getVolumeId().isEmpty() || s.volume.equals(req.getVolumeId())) {
                    b.addReplicas(describe(id, s));
                }
            });
            return b.build();
        });
    }

    /** Volume -> the replica SetReadSource chose (the fake has one copy per replica and no front-end to re-point). */
    private final Map<String, String> readSources = new ConcurrentHashMap<>();

    @Override
    public void setReadSource(dev.prescient.api.nodeagent.v1.SetReadSourceRequest r,
                              StreamObserver<dev.prescient.api.nodeagent.v1.SetReadSourceResponse> out) {
        serve("SetReadSource", out, () -> {
            if (!replicas.containsKey(r.getReplicaId())) {
                throw error(Status.Code.NOT_FOUND, "replica " + r.getReplicaId() + " not here");
            }
            String before = readSources.put(r.getVolumeId(), r.getReplicaId());
            return dev.prescient.api.nodeagent.v1.SetReadSourceResponse.newBuilder().setFrontEnd(r.getReplicaId())
                    .setReadSourceReplicaId(r.getReplicaId()).setPreviousReadSourceReplicaId(before == null ? "" : before)
                    .build();
        });
    }

    /** Volume -> the replica SetReadSource chose. */
    public Map<String, String> readSources() {
        return Map.copyOf(readSources);
    }

    @Override
    public void expandReplica(ExpandReplicaRequest req, StreamObserver<Replica> out) {
        serve("ExpandReplica", out, () -> {
            Stored r = replicas.get(req.getReplicaId());
            if (r == null) {
                throw error(Status.Code.NOT_FOUND, "replica " + req.getReplicaId());
            }
            long size = Math.max(r.size, req.getNewSizeBytes());
            Stored grown = new Stored(r.volume, r.tier, size,
                    r.data == null ? null : Arrays.copyOf(r.data, Math.toIntExact(size)), r.generation);
            replicas.put(req.getReplicaId(), grown);
            return describe(req.getReplicaId(), grown);
        });
    }

    // ------------------------------------------------------------ long operations

    /** Copies the source replica (found through the cluster) as a transfer that advances a chunk per poll. */
    @Override
    public void addReplicaFromSource(AddReplicaFromSourceRequest r, StreamObserver<Operation> out) {
        serve("AddReplicaFromSource", out, () -> {
            Operation existing = operations.get(r.getOperationId());
            if (existing != null) {
                return existing;
            }
            byte[] data = peerData(r.getSourceAddress(), r.getSourceReplicaId());
            if (data == null) {
                throw error(Status.Code.NOT_FOUND, "source replica " + r.getSourceReplicaId() + " not found at "
                        + r.getSourceAddress());
            }
            long free = tierCapacity.getOrDefault(r.getTier(), 0L) - used(r.getTier());
            if (free < data.length) {
                throw error(Status.Code.FAILED_PRECONDITION, "no room on tier " + r.getTier());
            }
            byte[] copy = data.clone();
            if (corruptTransfers && copy.length > 0) {
                copy[copy.length / 2] ^= 0x5a;
            }
            // The replica exists (Syncing) from the start, like the engine's WO replica catching up.
            replicas.put(r.getReplicaId(), new Stored(r.getVolumeId(), r.getTier(), copy.length, copy, 1));
            return start(r.getOperationId(), "transfer", copy.length, () -> { });
        });
    }

    @Override
    public void switchOver(SwitchOverRequest r, StreamObserver<Operation> out) {
        serve("SwitchOver", out, () -> {
            lastSwitch = r;
            Operation existing = operations.get(r.getOperationId());
            if (existing != null) {
                return existing;
            }
            if (!replicas.containsKey(r.getNewReplicaId())) {
                throw error(Status.Code.NOT_FOUND, "replica " + r.getNewReplicaId() + " not here");
            }
            return start(r.getOperationId(), "switch", 0, () -> onSwitched.accept(r.getVolumeId(), r.getNewReplicaId()));
        });
    }

    /** Compares this replica with the peer's, byte for byte; a mismatch fails the operation (no silent repair). */
    @Override
    public void scrub(ScrubRequest r, StreamObserver<Operation> out) {
        serve("Scrub", out, () -> {
            Operation existing = operations.get(r.getOperationId());
            if (existing != null) {
                return existing;
            }
            Stored mine = replicas.get(r.getReplicaId());
            byte[] theirs = peerData(r.getPeerAddress(), r.getPeerReplicaId());
            if (mine == null || theirs == null) {
                throw error(Status.Code.NOT_FOUND, "scrub: replica or peer missing");
            }
            Operation op = start(r.getOperationId(), "scrub", mine.size, () -> { });
            if (!Arrays.equals(mine.bytes(), theirs)) {
                op = op.toBuilder().setPhase(OperationPhase.OPERATION_PHASE_FAILED).setReason("Mismatch")
                        .setMessage("replica differs from its peer").setMismatchesRepaired(0).build();
                operations.put(r.getOperationId(), op);
                completions.remove(r.getOperationId());
            }
            return op;
        });
    }

    @Override
    public void getOperation(GetOperationRequest r, StreamObserver<Operation> out) {
        serve("GetOperation", out, () -> {
            Operation op = operations.get(r.getOperationId());
            if (op == null) {
                throw error(Status.Code.NOT_FOUND, "operation " + r.getOperationId());
            }
            return advance(op);
        });
    }

    @Override
    public void watchOperation(GetOperationRequest req, StreamObserver<Operation> out) {
        getOperation(req, out);
    }

    @Override
    public void cancelOperation(CancelOperationRequest r, StreamObserver<Operation> out) {
        serve("CancelOperation", out, () -> {
            Operation op = operations.get(r.getOperationId());
            if (op == null) {
                throw error(Status.Code.NOT_FOUND, "operation " + r.getOperationId());
            }
            if (op.getPhase() == OperationPhase.OPERATION_PHASE_RUNNING) {
                completions.remove(r.getOperationId());
                op = op.toBuilder().setPhase(OperationPhase.OPERATION_PHASE_CANCELLED).build();
                operations.put(r.getOperationId(), op);
            }
            return op;
        });
    }

    // ------------------------------------------------------------ snapshots

    @Override
    public void createSnapshot(CreateSnapshotRequest req, StreamObserver<Snapshot> out) {
        serve("CreateSnapshot", out, () -> {
            Stored r = replicas.get(req.getReplicaId());
            if (r == null) {
                throw error(Status.Code.NOT_FOUND, "replica " + req.getReplicaId() + " not here");
            }
            if (r.data != null) {
                snapshotData.computeIfAbsent(req.getSnapshotId(), k -> r.data.clone());
            }
            return snapshots.computeIfAbsent(req.getSnapshotId(), k -> Snapshot.newBuilder().setSnapshotId(k)
                    .setSourceReplicaId(req.getReplicaId()).setVolumeId(r.volume).setSizeBytes(r.size)
                    .setCreatedUnixMillis(System.currentTimeMillis()).setReady(true).build());
        });
    }

    @Override
    public void deleteSnapshot(DeleteSnapshotRequest req, StreamObserver<DeleteSnapshotResponse> out) {
        serve("DeleteSnapshot", out, () -> {
            snapshotData.remove(req.getSnapshotId());
            return DeleteSnapshotResponse.newBuilder().setExisted(snapshots.remove(req.getSnapshotId()) != null)
                    .build();
        });
    }

    @Override
    public void listSnapshots(ListSnapshotsRequest req, StreamObserver<ListSnapshotsResponse> out) {
        serve("ListSnapshots", out, () -> ListSnapshotsResponse.newBuilder().addAllSnapshots(snapshots.values()
                .stream().filter(s -> req.getReplicaId().isEmpty() || s.getSourceReplicaId().equals(req.getReplicaId()))
                .toList()).build());
    }

    // ------------------------------------------------------------ telemetry and health

    @Override
    public void getTelemetry(TelemetryRequest r, StreamObserver<TelemetrySnapshot> out) {
        serve("GetTelemetry", out, () -> {
            TelemetrySnapshot.Builder b = TelemetrySnapshot.newBuilder().setNodeId(nodeId)
                    .setTakenUnixMillis(System.currentTimeMillis()).setHalfLifeSeconds(3600);
            List<VolumeTelemetry> vols = new ArrayList<>(telemetry.values());
            for (VolumeTelemetry v : vols) {
                if (r.getVolumeId().isEmpty() || r.getVolumeId().equals(v.getVolumeId())) {
                    b.addVolumes(v);
                }
            }
            return b.build();
        });
    }

    @Override
    public void getNodeHealth(NodeHealthRequest req, StreamObserver<NodeHealth> out) {
        serve("GetNodeHealth", out, () -> {
            NodeHealth.Builder b = NodeHealth.newBuilder().setNodeId(nodeId).setZone(zone == null ? "" : zone)
                    .setReadLatencyP99Micros(readLatencyP99).setWriteLatencyP99Micros(readLatencyP99 * 1.5)
                    .setIoErrorsPerSecond(ioErrorsPerSecond).setReplicaCount(replicas.size());
            tierCapacity.forEach((t, cap) -> b.addTiers(TierUsage.newBuilder().setTier(t).setPath("/mem/" + t)
                    .setCapacityBytes(cap).setUsedBytes(used(t)).setAvailableBytes(Math.max(0, cap - used(t)))));
            return b.build();
        });
    }
}
