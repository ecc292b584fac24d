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
import dev.prescient.api.nodeagent.v1.OperationPhase;
import dev.prescient.api.nodeagent.v1.Replica;
import dev.prescient.api.nodeagent.v1.ReplicaState;
import dev.prescient.api.nodeagent.v1.ScrubRequest;
import dev.prescient.api.nodeagent.v1.Snapshot;
import dev.prescient.api.nodeagent.v1.SwitchOverRequest;
import dev.prescient.api.nodeagent.v1.TelemetryRequest;
import dev.prescient.api.nodeagent.v1.TelemetrySnapshot;
import dev.prescient.api.nodeagent.v1.TierUsage;
import dev.prescient.api.nodeagent.v1.VolumeTelemetry;
import dev.prescient.operator.agent.NodeAgentException.Reason;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One node agent in memory: replicas are byte arrays, snapshots are copies, operations progress a chunk per
 * poll. Switches inject failures: the whole agent down, the next call of an RPC failing, operations of a kind
 * failing, a transfer that corrupts what it copies. Every mutating call is idempotent by its id, like the real
 * agent's contract.
 */
public final class InMemoryNodeAgent implements NodeAgentClient {

    private record Stored(String volume, String tier, byte[] data, long generation) {
    }

    private final InMemoryNodeAgents cluster;
    private final String node;
    private final String zone;
    private final Map<String, Long> tierCapacity;
    private final Map<String, Stored> replicas = new ConcurrentHashMap<>();
    private final Map<String, byte[]> snapshots = new ConcurrentHashMap<>();
    private final Map<String, String> snapshotSource = new ConcurrentHashMap<>();
    private final Map<String, Operation> operations = new ConcurrentHashMap<>();
    private final Map<String, Runnable> completions = new ConcurrentHashMap<>();
    private final Map<String, Integer> failNext = new ConcurrentHashMap<>();
    private final Set<String> failingKinds = ConcurrentHashMap.newKeySet();
    private final Set<String> blocked = ConcurrentHashMap.newKeySet();
    private final Map<String, VolumeTelemetry> telemetry = new ConcurrentHashMap<>();
    private volatile boolean down;
    private volatile boolean corruptTransfers;
    private volatile long chunkBytes = Long.MAX_VALUE;
    private volatile double readLatencyP99 = 200;
    private volatile double ioErrorsPerSecond;
    private volatile long calls;

    InMemoryNodeAgent(InMemoryNodeAgents cluster, String node, String zone, Map<String, Long> tierCapacity) {
        this.cluster = cluster;
        this.node = node;
        this.zone = zone;
        this.tierCapacity = tierCapacity;
    }

    // ---- failure switches ----

    public void setDown(boolean down) {
        this.down = down;
    }

    /** The next {@code times} calls of the RPC (e.g. "CreateSnapshot") fail with {@code Internal}. */
    public void failNext(String rpc, int times) {
        failNext.put(rpc, times);
    }

    /** Operations of this kind ("transfer", "switch", "scrub") end FAILED until cleared. */
    public void failOperations(String kind, boolean fail) {
        if (fail) {
            failingKinds.add(kind);
        } else {
            failingKinds.remove(kind);
        }
    }

    /** Calls of the RPC fail as Unavailable (retryable) until unblocked: freezes a migration in its phase. */
    public void block(String rpc, boolean block) {
        if (block) {
            blocked.add(rpc);
        } else {
            blocked.remove(rpc);
        }
    }

    public void setCorruptTransfers(boolean corrupt) {
        this.corruptTransfers = corrupt;
    }

    /** Bytes an operation advances per poll, so a test can observe it RUNNING. */
    public void setChunkBytes(long chunkBytes) {
        this.chunkBytes = chunkBytes;
    }

    public void setHealth(double readLatencyP99Micros, double ioErrorsPerSecond) {
        this.readLatencyP99 = readLatencyP99Micros;
        this.ioErrorsPerSecond = ioErrorsPerSecond;
    }

    public void setTelemetry(VolumeTelemetry volume) {
        telemetry.put(volume.getVolumeId(), volume);
    }

    public long calls() {
        return calls;
    }

    // ---- direct access for tests ----

    public String node() {
        return node;
    }

    /** Puts a replica with the given content, as if the CSI driver had created and the workload written it. */
    public void putReplica(String replicaId, String volume, String tier, byte[] data) {
        replicas.put(replicaId, new Stored(volume, tier, data.clone(), 1));
    }

    public byte[] replicaData(String replicaId) {
        Stored s = replicas.get(replicaId);
        return s == null ? null : s.data.clone();
    }

    public Set<String> replicaIds() {
        return new HashSet<>(replicas.keySet());
    }

    public Set<String> snapshotIds() {
        return new HashSet<>(snapshots.keySet());
    }

    private void enter(String rpc) {
        calls++;
        if (down) {
            throw new NodeAgentException(Reason.Unavailable, node, rpc + ": agent down");
        }
        if (blocked.contains(rpc)) {
            throw new NodeAgentException(Reason.Unavailable, node, rpc + ": blocked");
        }
        Integer left = failNext.get(rpc);
        if (left != null && left > 0) {
            failNext.put(rpc, left - 1);
            throw new NodeAgentException(Reason.Internal, node, rpc + ": injected failure");
        }
    }

    private Replica describe(String id, Stored s) {
        return Replica.newBuilder().setReplicaId(id).setVolumeId(s.volume).setNodeId(node).setTier(s.tier)
                .setSizeBytes(s.data.length).setState(ReplicaState.REPLICA_STATE_HEALTHY)
                .setAllocatedBytes(s.data.length).setGeneration(s.generation)
                .setNbdEndpoint(node + ":10809/" + id).build();
    }

    @Override
    public synchronized Replica createReplica(CreateReplicaRequest r) {
        enter("CreateReplica");
        Stored s = replicas.computeIfAbsent(r.getReplicaId(),
                k -> new Stored(r.getVolumeId(), r.getTier(), new byte[(int) r.getSizeBytes()], 1));
        return describe(r.getReplicaId(), s);
    }

    @Override
    public synchronized DeleteReplicaResponse deleteReplica(DeleteReplicaRequest r) {
        enter("DeleteReplica");
        return DeleteReplicaResponse.newBuilder().setExisted(replicas.remove(r.getReplicaId()) != null).build();
    }

    @Override
    public synchronized ListReplicasResponse listReplicas(ListReplicasRequest r) {
        enter("ListReplicas");
        ListReplicasResponse.Builder b = ListReplicasResponse.newBuilder();
        replicas.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .filter(e -> r.getVolumeId().isEmpty() || e.getValue().volume.equals(r.getVolumeId()))
                .forEach(e -> b.addReplicas(describe(e.getKey(), e.getValue())));
        return b.build();
    }

    @Override
    public synchronized Operation addReplicaFromSource(AddReplicaFromSourceRequest r) {
        enter("AddReplicaFromSource");
        Operation existing = operations.get(r.getOperationId());
        if (existing != null) {
            return existing;
        }
        InMemoryNodeAgent source = cluster.byAddress(r.getSourceAddress());
        byte[] data = source == null ? null : source.replicaData(r.getSourceReplicaId());
        if (data == null) {
            throw new NodeAgentException(Reason.NotFound, node, "source replica " + r.getSourceReplicaId()
                    + " not found at " + r.getSourceAddress());
        }
        long free = tierCapacity.getOrDefault(r.getTier(), 0L) - usedOn(r.getTier());
        if (free < data.length) {
            throw new NodeAgentException(Reason.FailedPrecondition, node, "no room on tier " + r.getTier());
        }
        byte[] copy = data.clone();
        if (corruptTransfers && copy.length > 0) {
            copy[copy.length / 2] ^= 0x5a;
        }
        // The replica exists (Syncing) from the start, like the engine's WO replica catching up.
        replicas.put(r.getReplicaId(), new Stored(r.getVolumeId(), r.getTier(), copy, 1));
        return start(r.getOperationId(), "transfer", copy.length, () -> { });
    }

    private long usedOn(String tier) {
        long used = 0;
        for (Stored s : replicas.values()) {
            if (s.tier.equals(tier)) {
                used += s.data.length;
            }
        }
        return used;
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
        if (failingKinds.contains(op.getKind())) {
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

    private volatile SwitchOverRequest lastSwitch;

    /** The last SwitchOver request this agent received (null: none), for tests. */
    public SwitchOverRequest lastSwitch() {
        return lastSwitch;
    }

    @Override
    public synchronized Operation switchOver(SwitchOverRequest r) {
        enter("SwitchOver");
        lastSwitch = r;
        Operation existing = operations.get(r.getOperationId());
        if (existing != null) {
            return existing;
        }
        if (!replicas.containsKey(r.getNewReplicaId())) {
            throw new NodeAgentException(Reason.NotFound, node, "replica " + r.getNewReplicaId() + " not here");
        }
        return start(r.getOperationId(), "switch", 0,
                () -> cluster.setActiveReplica(r.getVolumeId(), r.getNewReplicaId()));
    }

    /** Records the choice; the fake's data path has one copy per replica and no front-end to re-point. */
    @Override
    public synchronized dev.prescient.api.nodeagent.v1.SetReadSourceResponse setReadSource(
            dev.prescient.api.nodeagent.v1.SetReadSourceRequest r) {
        enter("SetReadSource");
        if (!replicas.containsKey(r.getReplicaId())) {
            throw new NodeAgentException(Reason.NotFound, node, "replica " + r.getReplicaId() + " not here");
        }
        String before = readSources.put(r.getVolumeId(), r.getReplicaId());
        return dev.prescient.api.nodeagent.v1.SetReadSourceResponse.newBuilder().setFrontEnd(r.getReplicaId())
                .setReadSourceReplicaId(r.getReplicaId()).setPreviousReadSourceReplicaId(before == null ? "" : before)
                .build();
    }

    /** Volume -> the replica SetReadSource chose. */
    private final Map<String, String> readSources = new java.util.HashMap<>();

    public synchronized Map<String, String> readSources() {
        return Map.copyOf(readSources);
    }

    @Override
    public synchronized Snapshot createSnapshot(CreateSnapshotRequest r) {
        enter("CreateSnapshot");
        Stored s = replicas.get(r.getReplicaId());
        if (s == null) {
            throw new NodeAgentException(Reason.NotFound, node, "replica " + r.getReplicaId() + " not here");
        }
        snapshots.computeIfAbsent(r.getSnapshotId(), k -> s.data.clone());
        snapshotSource.put(r.getSnapshotId(), r.getReplicaId());
        return Snapshot.newBuilder().setSnapshotId(r.getSnapshotId()).setSourceReplicaId(r.getReplicaId())
                .setVolumeId(s.volume).setSizeBytes(s.data.length).setReady(true).build();
    }

    @Override
    public synchronized DeleteSnapshotResponse deleteSnapshot(DeleteSnapshotRequest r) {
        enter("DeleteSnapshot");
        snapshotSource.remove(r.getSnapshotId());
        return DeleteSnapshotResponse.newBuilder().setExisted(snapshots.remove(r.getSnapshotId()) != null).build();
    }

    /** Compares this replica with the peer's, byte for byte; a mismatch fails the operation (no silent repair). */
    @Override
    public synchronized Operation scrub(ScrubRequest r) {
        enter("Scrub");
        Operation existing = operations.get(r.getOperationId());
        if (existing != null) {
            return existing;
        }
        Stored mine = replicas.get(r.getReplicaId());
        InMemoryNodeAgent peer = cluster.byAddress(r.getPeerAddress());
        byte[] theirs = peer == null ? null : peer.replicaData(r.getPeerReplicaId());
        if (mine == null || theirs == null) {
            throw new NodeAgentException(Reason.NotFound, node, "scrub: replica or peer missing");
        }
        Operation op = start(r.getOperationId(), "scrub", mine.data.length, () -> { });
        if (!Arrays.equals(mine.data, theirs)) {
            op = op.toBuilder().setPhase(OperationPhase.OPERATION_PHASE_FAILED).setReason("Mismatch")
                    .setMessage("replica differs from its peer").setMismatchesRepaired(0).build();
            operations.put(r.getOperationId(), op);
            completions.remove(r.getOperationId());
        }
        return op;
    }

    @Override
    public synchronized Operation getOperation(GetOperationRequest r) {
        enter("GetOperation");
        Operation op = operations.get(r.getOperationId());
        if (op == null) {
            throw new NodeAgentException(Reason.NotFound, node, "operation " + r.getOperationId());
        }
        return advance(op);
    }

    @Override
    public synchronized Operation cancelOperation(CancelOperationRequest r) {
        enter("CancelOperation");
        Operation op = operations.get(r.getOperationId());
        if (op == null) {
            throw new NodeAgentException(Reason.NotFound, node, "operation " + r.getOperationId());
        }
        if (op.getPhase() == OperationPhase.OPERATION_PHASE_RUNNING) {
            completions.remove(r.getOperationId());
            op = op.toBuilder().setPhase(OperationPhase.OPERATION_PHASE_CANCELLED).build();
            operations.put(r.getOperationId(), op);
        }
        return op;
    }

    @Override
    public TelemetrySnapshot getTelemetry(TelemetryRequest r) {
        enter("GetTelemetry");
        TelemetrySnapshot.Builder b = TelemetrySnapshot.newBuilder().setNodeId(node)
                .setTakenUnixMillis(System.currentTimeMillis()).setHalfLifeSeconds(3600);
        List<VolumeTelemetry> vols = new ArrayList<>(telemetry.values());
        for (VolumeTelemetry v : vols) {
            if (r.getVolumeId().isEmpty() || r.getVolumeId().equals(v.getVolumeId())) {
                b.addVolumes(v);
            }
        }
        return b.build();
    }

    @Override
    public NodeHealth getNodeHealth() {
        enter("GetNodeHealth");
        NodeHealth.Builder b = NodeHealth.newBuilder().setNodeId(node).setZone(zone == null ? "" : zone)
                .setReadLatencyP99Micros(readLatencyP99).setWriteLatencyP99Micros(readLatencyP99 * 1.5)
                .setIoErrorsPerSecond(ioErrorsPerSecond).setReplicaCount(replicas.size());
        Map<String, Long> used = new HashMap<>();
        for (Stored s : replicas.values()) {
            used.merge(s.tier, (long) s.data.length, Long::sum);
        }
        for (Map.Entry<String, Long> t : tierCapacity.entrySet()) {
            long u = used.getOrDefault(t.getKey(), 0L);
            b.addTiers(TierUsage.newBuilder().setTier(t.getKey()).setPath("/mem/" + t.getKey())
                    .setCapacityBytes(t.getValue()).setUsedBytes(u).setAvailableBytes(t.getValue() - u));
        }
        return b.build();
    }
}
