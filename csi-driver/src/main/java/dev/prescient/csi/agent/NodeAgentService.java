package dev.prescient.csi.agent;

import dev.prescient.api.nodeagent.v1.*;
import dev.prescient.csi.CsiException;
import dev.prescient.csi.Rpc;
import dev.prescient.csi.node.Exec;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The real node agent: replicas as sparse files ({@link FileReplicaStore}) exported over NBD
 * ({@link NbdExports}). Every mutation is idempotent by its natural id (replica, snapshot) and
 * long work by operation id ({@link Operations}).
 *
 * <p>SwitchOver and Scrub need the engine's replica set (write fan-out, dirty tracking), which
 * is not in the tree yet: they answer UNIMPLEMENTED with that reason rather than pretending.
 */
public final class NodeAgentService extends NodeAgentGrpc.NodeAgentImplBase {
    private final String nodeId;
    private final String zone;
    private final FileReplicaStore store;
    private final NbdExports exports;
    private final AgentTls tls;
    private final Operations ops = new Operations();
    /** Consumers (pods) per volume, from NodePublishVolume's pod info. */
    private final Map<String, Map<String, Long>> consumers = new ConcurrentHashMap<>();

    public NodeAgentService(String nodeId, String zone, FileReplicaStore store, NbdExports exports, AgentTls tls) {
        this.nodeId = nodeId;
        this.zone = zone;
        this.store = store;
        this.exports = exports;
        this.tls = tls;
    }

    /** After a restart: serve every replica found on disk again. */
    public void resumeExports() throws IOException {
        for (var m : store.list()) {
            exports.ensure(m.replicaId(), m.file(), m.nbdPort());
        }
    }

    public FileReplicaStore store() {
        return store;
    }

    public void recordConsumer(String volumeId, String consumer) {
        consumers.computeIfAbsent(volumeId, k -> new ConcurrentHashMap<>()).put(consumer, System.currentTimeMillis());
    }

    public void forgetConsumer(String volumeId, String consumer) {
        Map<String, Long> m = consumers.get(volumeId);
        if (m != null) {
            m.remove(consumer);
        }
    }

    /** The NBD URI of this node's replica of {@code volumeId}, if it holds one. */
    public Optional<String> localExport(String volumeId) throws IOException {
        for (var m : store.list()) {
            if (m.volumeId().equals(volumeId)) {
                return Optional.of(exports.ensure(m.replicaId(), m.file(), m.nbdPort()));
            }
        }
        return Optional.empty();
    }

    private Replica toProto(FileReplicaStore.ReplicaMeta m) {
        try {
            return Replica.newBuilder().setReplicaId(m.replicaId()).setVolumeId(m.volumeId()).setNodeId(nodeId)
                    .setTier(m.tier()).setSizeBytes(m.sizeBytes()).setState(ReplicaState.REPLICA_STATE_HEALTHY)
                    .setAllocatedBytes(store.allocatedBytes(m.file())).setGeneration(m.generation())
                    .setNbdEndpoint(exports.uri(m.nbdPort())).build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private interface IoBody<T> {
        T get() throws IOException;
    }

    private static <T> void io(StreamObserver<T> out, IoBody<T> body) {
        Rpc.unary(out, () -> {
            try {
                return body.get();
            } catch (IOException e) {
                throw CsiException.internal("NodeIoError", e.getMessage(), e);
            }
        });
    }

    private static void require(String field, String value) {
        if (value.isEmpty()) {
            throw CsiException.invalid(field + " is required");
        }
    }

    @Override
    public void createReplica(CreateReplicaRequest req, StreamObserver<Replica> out) {
        io(out, () -> {
            require("replica_id", req.getReplicaId());
            require("volume_id", req.getVolumeId());
            if (req.getSizeBytes() <= 0) {
                throw CsiException.invalid("size_bytes must be positive");
            }
            Optional<Path> from = Optional.empty();
            if (!req.getSourceSnapshotId().isEmpty()) {
                from = Optional.of(store.findSnapshot(req.getSourceSnapshotId()).orElseThrow(
                        () -> CsiException.notFound("snapshot " + req.getSourceSnapshotId() + " not on node " + nodeId))
                        .file());
            } else if (!req.getSourceReplicaId().isEmpty()) {
                from = Optional.of(store.find(req.getSourceReplicaId()).orElseThrow(
                        () -> CsiException.notFound("replica " + req.getSourceReplicaId() + " not on node " + nodeId))
                        .file());
            }
            String tier = req.getTier().isEmpty() ? "default" : req.getTier();
            int port = store.find(req.getReplicaId()).map(FileReplicaStore.ReplicaMeta::nbdPort)
                    .orElse(NbdExports.freePort());
            var m = store.create(req.getReplicaId(), req.getVolumeId(), tier, req.getSizeBytes(), port, from);
            exports.ensure(m.replicaId(), m.file(), m.nbdPort());
            return toProto(m);
        });
    }

    @Override
    public void deleteReplica(DeleteReplicaRequest req, StreamObserver<DeleteReplicaResponse> out) {
        io(out, () -> {
            require("replica_id", req.getReplicaId());
            exports.stop(req.getReplicaId());
            return DeleteReplicaResponse.newBuilder().setExisted(store.delete(req.getReplicaId())).build();
        });
    }

    @Override
    public void listReplicas(ListReplicasRequest req, StreamObserver<ListReplicasResponse> out) {
        io(out, () -> ListReplicasResponse.newBuilder().addAllReplicas(store.list().stream()
                .filter(m -> req.getVolumeId().isEmpty() || m.volumeId().equals(req.getVolumeId()))
                .map(this::toProto).toList()).build());
    }

    @Override
    public void expandReplica(ExpandReplicaRequest req, StreamObserver<Replica> out) {
        io(out, () -> {
            require("replica_id", req.getReplicaId());
            return toProto(store.expand(req.getReplicaId(), req.getNewSizeBytes()));
        });
    }

    @Override
    public void addReplicaFromSource(AddReplicaFromSourceRequest req, StreamObserver<Operation> out) {
        io(out, () -> {
            require("replica_id", req.getReplicaId());
            require("source_address", req.getSourceAddress());
            require("source_replica_id", req.getSourceReplicaId());
            return ops.start(req.getOperationId(), "AddReplicaFromSource", p -> copyFrom(req, p));
        });
    }

    /**
     * Full copy of a remote replica over NBD with nbdcopy (which skips holes and zero blocks).
     * The engine's delta sync replaces this once dev.prescient.engine.replication is in the tree.
     */
    private void copyFrom(AddReplicaFromSourceRequest req, Operations.Progress p) throws Exception {
        ManagedChannel ch = tls.channel(req.getSourceAddress());
        Replica src;
        try {
            src = NodeAgentGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS)
                    .listReplicas(ListReplicasRequest.newBuilder().setVolumeId(req.getVolumeId()).build())
                    .getReplicasList().stream().filter(r -> r.getReplicaId().equals(req.getSourceReplicaId()))
                    .findFirst().orElseThrow(() -> new CsiException(Status.Code.NOT_FOUND, "SourceReplicaMissing",
                            "source has no replica " + req.getSourceReplicaId()));
        } finally {
            ch.shutdownNow();
        }
        String tier = req.getTier().isEmpty() ? "default" : req.getTier();
        var m = store.create(req.getReplicaId(), req.getVolumeId(), tier, src.getSizeBytes(), NbdExports.freePort(),
                Optional.empty());
        p.update(0, src.getSizeBytes());
        Process proc = new ProcessBuilder("nbdcopy", "--destination-is-zero", src.getNbdEndpoint(), m.file().toString())
                .redirectErrorStream(true).start();
        while (!proc.waitFor(200, TimeUnit.MILLISECONDS)) {
            if (p.cancelled()) {
                proc.destroyForcibly();
                store.delete(req.getReplicaId());
                return;
            }
            p.update(Math.min(store.allocatedBytes(m.file()), src.getSizeBytes()), src.getSizeBytes());
        }
        if (proc.exitValue() != 0) {
            throw new IOException("nbdcopy failed: " + new String(proc.getInputStream().readAllBytes()));
        }
        p.update(src.getSizeBytes(), src.getSizeBytes());
        exports.ensure(m.replicaId(), m.file(), m.nbdPort());
    }

    @Override
    public void switchOver(SwitchOverRequest req, StreamObserver<Operation> out) {
        out.onError(Status.UNIMPLEMENTED.withDescription(
                "EngineMissing: switch-over needs the engine replica set (dev.prescient.engine.volume)").asRuntimeException());
    }

    @Override
    public void scrub(ScrubRequest req, StreamObserver<Operation> out) {
        out.onError(Status.UNIMPLEMENTED.withDescription(
                "EngineMissing: scrub needs the engine's extent hashes (dev.prescient.engine)").asRuntimeException());
    }

    @Override
    public void getOperation(GetOperationRequest req, StreamObserver<Operation> out) {
        Rpc.unary(out, () -> ops.get(req.getOperationId()));
    }

    @Override
    public void watchOperation(GetOperationRequest req, StreamObserver<Operation> out) {
        try {
            Operation op = ops.get(req.getOperationId());
            out.onNext(op);
            while (!Operations.done(op)) {
                Operation next = ops.awaitChange(req.getOperationId(), op, 1000);
                if (!next.equals(op)) {
                    out.onNext(next);
                }
                op = next;
            }
            out.onCompleted();
        } catch (CsiException e) {
            out.onError(e.toStatus());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            out.onError(Status.CANCELLED.asRuntimeException());
        }
    }

    @Override
    public void cancelOperation(CancelOperationRequest req, StreamObserver<Operation> out) {
        Rpc.unary(out, () -> ops.cancel(req.getOperationId()));
    }

    @Override
    public void createSnapshot(CreateSnapshotRequest req, StreamObserver<Snapshot> out) {
        io(out, () -> {
            require("snapshot_id", req.getSnapshotId());
            require("replica_id", req.getReplicaId());
            return toProto(store.snapshot(req.getSnapshotId(), req.getReplicaId()));
        });
    }

    private static Snapshot toProto(FileReplicaStore.SnapshotMeta s) {
        return Snapshot.newBuilder().setSnapshotId(s.snapshotId()).setSourceReplicaId(s.replicaId())
                .setVolumeId(s.volumeId()).setSizeBytes(s.sizeBytes()).setCreatedUnixMillis(s.createdMillis())
                .setReady(true).build();
    }

    @Override
    public void deleteSnapshot(DeleteSnapshotRequest req, StreamObserver<DeleteSnapshotResponse> out) {
        io(out, () -> {
            require("snapshot_id", req.getSnapshotId());
            return DeleteSnapshotResponse.newBuilder().setExisted(store.deleteSnapshot(req.getSnapshotId())).build();
        });
    }

    @Override
    public void listSnapshots(ListSnapshotsRequest req, StreamObserver<ListSnapshotsResponse> out) {
        io(out, () -> ListSnapshotsResponse.newBuilder().addAllSnapshots(store.snapshots().stream()
                .filter(s -> req.getReplicaId().isEmpty() || s.replicaId().equals(req.getReplicaId()))
                .map(NodeAgentService::toProto).toList()).build());
    }

    @Override
    public void getTelemetry(TelemetryRequest req, StreamObserver<TelemetrySnapshot> out) {
        // Extent heat comes from the engine's I/O path (not in the tree yet); until then the
        // snapshot carries the consumers known from NodePublishVolume and no extents.
        io(out, () -> {
            var b = TelemetrySnapshot.newBuilder().setNodeId(nodeId).setTakenUnixMillis(System.currentTimeMillis());
            for (var m : store.list()) {
                if (!req.getVolumeId().isEmpty() && !m.volumeId().equals(req.getVolumeId())) {
                    continue;
                }
                var v = VolumeTelemetry.newBuilder().setVolumeId(m.volumeId());
                consumers.getOrDefault(m.volumeId(), Map.of()).keySet().stream().sorted()
                        .forEach(c -> v.addConsumers(ConsumerHeat.newBuilder().setConsumer(c)));
                b.addVolumes(v);
            }
            return b.build();
        });
    }

    @Override
    public void getNodeHealth(NodeHealthRequest req, StreamObserver<NodeHealth> out) {
        io(out, () -> {
            var b = NodeHealth.newBuilder().setNodeId(nodeId).setZone(zone).setReplicaCount(store.list().size());
            for (var t : store.tiers().entrySet()) {
                FileStore fs = Files.getFileStore(t.getValue());
                long used = 0;
                for (var m : store.list()) {
                    if (m.tier().equals(t.getKey())) {
                        used += store.allocatedBytes(m.file());
                    }
                }
                b.addTiers(TierUsage.newBuilder().setTier(t.getKey()).setPath(t.getValue().toString())
                        .setCapacityBytes(fs.getTotalSpace()).setUsedBytes(used).setAvailableBytes(fs.getUsableSpace()));
            }
            List<DeviceHealth> devices = SmartProbe.probe();
            b.setSmartAvailable(!devices.isEmpty()).addAllDevices(devices);
            return b.build();
        });
    }

    public void close() {
        ops.shutdown();
    }

    static boolean toolsPresent() {
        return Exec.onPath("nbdkit") && Exec.onPath("cp");
    }
}
