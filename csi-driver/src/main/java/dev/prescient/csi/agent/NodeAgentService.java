package dev.prescient.csi.agent;

import dev.prescient.api.nodeagent.v1.*;
import dev.prescient.csi.CsiException;
import dev.prescient.csi.Ids;
import dev.prescient.csi.Rpc;
import dev.prescient.csi.Exec;
import dev.prescient.engine.heat.HeatSnapshot;
import dev.prescient.engine.heat.HeatSnapshotFile;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real node agent: replicas are engine replicas ({@link EngineReplicas}), each served over
 * NBD by its own engine process ({@link EngineExports}). Every mutation is idempotent by its
 * natural id (replica, snapshot) and long work by operation id ({@link Operations}).
 *
 * <p>Data moves (restore, clone, copy from another node, snapshot) go through the engine's NBD
 * exports with nbdcopy, so the engine process stays the only owner of a replica's files.
 * SwitchOver and Scrub need the replica set inside the engine process to take orders from the
 * agent, which it does not yet: they answer UNIMPLEMENTED with that reason rather than pretending.
 */
public final class NodeAgentService extends NodeAgentGrpc.NodeAgentImplBase {
    private static final Logger LOG = LoggerFactory.getLogger(NodeAgentService.class);
    private final String nodeId;
    private final String zone;
    private final EngineReplicas store;
    private final EngineExports exports;
    private final AgentTls tls;
    private volatile NbdTransport transport = NbdTransport.plain();
    private final Operations ops = new Operations();
    private volatile EngineHealth engineHealth = new EngineHealth();
    private volatile TierProbe probe;
    private final VolumeMoves moves;
    /** Consumers (pods) per volume, from NodePublishVolume's pod info. */
    private final Map<String, Map<String, Long>> consumers = new ConcurrentHashMap<>();

    public NodeAgentService(String nodeId, String zone, EngineReplicas store, EngineExports exports, AgentTls tls) {
        this.nodeId = nodeId;
        this.zone = zone;
        this.store = store;
        this.exports = exports;
        this.tls = tls;
        this.moves = new VolumeMoves(store, exports, address -> {
            try {
                return tls.channel(address);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** After a restart: serve every replica found on disk again. */
    /** How this node's nbdcopy reaches exports (local sockets, TLS to other nodes). */
    public void useTransport(NbdTransport transport) {
        this.transport = transport;
    }

    public void resumeExports() throws IOException {
        for (var m : store.list()) {
            if (filling(m.replicaId())) {
                continue; // half-filled before a crash: the create/copy retry redoes it
            }
            try {
                exports.ensure(m.replicaId(), m.volumeId(), m.tier());
            } catch (IOException e) {
                // One replica that cannot be served (port taken, damaged metadata) must not keep
                // the node from serving the others; staging it retries and reports the reason.
                LOG.error("replica {} (volume {}): export not resumed: {}", m.replicaId(), m.volumeId(), e.getMessage());
            }
        }
    }

    public EngineReplicas store() {
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
            if (m.volumeId().equals(volumeId) && !filling(m.replicaId())) {
                return Optional.of(exports.ensure(m.replicaId(), m.volumeId(), m.tier()));
            }
        }
        return Optional.empty();
    }

    /**
     * The NBD URI that serves the volume now, for a stage whose publish context named {@code publishedReplica}: a
     * volume attachment keeps the context it was published with, and a move since then (a retier, say) switched
     * the volume to another replica and stopped the published one. Empty when that replica's successor is not on
     * this node, or while it is still being filled.
     */
    public Optional<String> currentExport(String volumeId, String publishedReplica) throws IOException {
        Optional<String> id = moves.servingReplica(publishedReplica);
        if (id.isEmpty()) {
            return Optional.empty();
        }
        var m = store.find(id.get());
        if (m.isEmpty() || !m.get().volumeId().equals(volumeId) || filling(id.get())) {
            return Optional.empty();
        }
        return Optional.of(exports.ensure(m.get().replicaId(), m.get().volumeId(), m.get().tier()));
    }

    private Replica toProto(EngineReplicas.ReplicaMeta m) {
        try {
            boolean filling = filling(m.replicaId());
            return Replica.newBuilder().setReplicaId(m.replicaId()).setVolumeId(m.volumeId()).setNodeId(nodeId)
                    .setTier(m.tier()).setSizeBytes(m.sizeBytes())
                    .setState(filling ? ReplicaState.REPLICA_STATE_SYNCING : ReplicaState.REPLICA_STATE_HEALTHY)
                    // The engine persists its allocation map on flush only, so while a replica is
                    // served the map on disk can lag; the file's own allocation does not.
                    .setAllocatedBytes(Math.max(m.allocatedBytes(), EngineReplicas.diskBytes(m.file())))
                    .setGeneration(m.generation())
                    .setNbdEndpoint(exports.uriIfKnown(m.replicaId()).orElse("")).build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Set while a replica is being filled from a source; a crash leaves it to say "redo". */
    private boolean filling(String replicaId) throws IOException {
        return exports.state().get(replicaId).filling() != null;
    }

    /**
     * Creates the replica and fills it from {@code source} (a snapshot image path or an NBD URI)
     * through its own engine export. Idempotent: a replica that exists and is not marked as
     * half-filled is returned as is; a half-filled one is thrown away and made again.
     */
    private EngineReplicas.ReplicaMeta createFilled(String replicaId, String volumeId, String tier, long size,
            Optional<String> source, long sourceBytes, Operations.Progress progress) throws Exception {
        NodeState state = exports.state();
        Optional<EngineReplicas.ReplicaMeta> existing = store.find(replicaId);
        if (existing.isPresent() && !filling(replicaId)) {
            exports.ensure(replicaId, volumeId, existing.get().tier());
            return existing.get();
        }
        if (existing.isPresent()) {
            exports.stop(replicaId);
            store.delete(replicaId);
        }
        if (source.isPresent()) {
            state.update(replicaId, r -> r.withFilling(source.get()));
        }
        var m = store.create(replicaId, volumeId, tier, size, sourceBytes);
        String uri = exports.ensure(replicaId, volumeId, m.tier());
        if (source.isPresent()) {
            if (progress != null) {
                progress.update(0, size);
            }
            // Holes and zero blocks of the source are skipped; the new replica reads zeroes there.
            NbdTransport.Operand from = transport.nbdcopyOperand(source.get());
            NbdTransport.Operand to = transport.nbdcopyOperand(uri);
            try (from; to) {
                Process proc = new ProcessBuilder("nbdcopy", "--destination-is-zero", from.uri(), to.uri())
                        .redirectErrorStream(true).start();
                while (!proc.waitFor(200, TimeUnit.MILLISECONDS)) {
                    if (progress != null && progress.cancelled()) {
                        proc.destroyForcibly().waitFor();
                        exports.stop(replicaId);
                        store.delete(replicaId);
                        exports.forget(replicaId);
                        state.update(replicaId, r -> r.withFilling(null));
                        return null;
                    }
                    if (progress != null) {
                        progress.update(Math.min(EngineReplicas.diskBytes(m.file()), size), size);
                    }
                }
                if (proc.exitValue() != 0) {
                    throw new IOException("nbdcopy " + source.get() + " -> " + uri + " failed: "
                            + new String(proc.getInputStream().readAllBytes()));
                }
            }
            state.update(replicaId, r -> r.withFilling(null));
            if (progress != null) {
                progress.update(size, size);
            }
        }
        return store.find(replicaId).orElseThrow();
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

    /** Ids name files under the tiers and the run directory: one plain path component, checked before any path. */
    private static void requireId(String field, String value) {
        Ids.require(field, value, Ids.MAX_AGENT_LENGTH);
    }

    /** An agent address other agents dial: host:port without blanks (it is kept in one-line records). */
    private static void requireAddress(String field, String value) {
        int colon = value.lastIndexOf(':');
        boolean ok = colon >= 1 && value.chars().noneMatch(Character::isWhitespace);
        if (ok) {
            try {
                int port = Integer.parseInt(value.substring(colon + 1));
                ok = port > 0 && port < 65536;
            } catch (NumberFormatException e) {
                ok = false;
            }
        }
        if (!ok) {
            throw CsiException.invalid(field + " must be host:port, got '" + value + "'");
        }
    }

    @Override
    public void createReplica(CreateReplicaRequest req, StreamObserver<Replica> out) {
        io(out, () -> {
            requireId("replica_id", req.getReplicaId());
            requireId("volume_id", req.getVolumeId());
            if (req.getSizeBytes() <= 0) {
                throw CsiException.invalid("size_bytes must be positive");
            }
            Optional<String> from = Optional.empty();
            long need = 0;
            if (!req.getSourceSnapshotId().isEmpty()) {
                requireId("source_snapshot_id", req.getSourceSnapshotId());
                var snap = store.findSnapshot(req.getSourceSnapshotId()).orElseThrow(
                        () -> CsiException.notFound("snapshot " + req.getSourceSnapshotId() + " not on node " + nodeId));
                from = Optional.of(snap.file().toString());
                need = EngineReplicas.diskBytes(snap.file());
            } else if (!req.getSourceReplicaId().isEmpty()) {
                var src = store.find(req.getSourceReplicaId()).orElseThrow(
                        () -> CsiException.notFound("replica " + req.getSourceReplicaId() + " not on node " + nodeId));
                from = Optional.of(exports.ensure(src.replicaId(), src.volumeId(), src.tier()));
                need = src.allocatedBytes();
            }
            String tier = req.getTier().isEmpty() ? "default" : req.getTier();
            try {
                return toProto(createFilled(req.getReplicaId(), req.getVolumeId(), tier, req.getSizeBytes(), from,
                        need, null));
            } catch (IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException(e);
            }
        });
    }

    @Override
    public void deleteReplica(DeleteReplicaRequest req, StreamObserver<DeleteReplicaResponse> out) {
        io(out, () -> {
            requireId("replica_id", req.getReplicaId());
            // A replica whose engine still serves a switched volume (to clients connected to this
            // node) loses its files now; the engine is stopped once the clients have left.
            boolean keepEngine = moves.beforeDelete(req.getReplicaId());
            if (!keepEngine) {
                exports.stop(req.getReplicaId());
            }
            boolean existed = store.delete(req.getReplicaId());
            if (!keepEngine) {
                moves.retire(req.getReplicaId());
                exports.forget(req.getReplicaId());
                moves.dropDeadRedirects();
            }
            exports.state().update(req.getReplicaId(), r -> r.withFilling(null));
            return DeleteReplicaResponse.newBuilder().setExisted(existed).build();
        });
    }

    @Override
    public void listReplicas(ListReplicasRequest req, StreamObserver<ListReplicasResponse> out) {
        io(out, () -> {
            ListReplicasResponse.Builder b = ListReplicasResponse.newBuilder().addAllReplicas(store.list().stream()
                    .filter(m -> req.getVolumeId().isEmpty() || m.volumeId().equals(req.getVolumeId()))
                    .map(this::toProto).toList());
            for (FrontEnds.FrontEndReads f : moves.frontEnds()) {
                if (req.getVolumeId().isEmpty() || req.getVolumeId().equals(f.volumeId())) {
                    b.addFrontEnds(dev.prescient.api.nodeagent.v1.FrontEndReads.newBuilder()
                            .setFrontEndReplicaId(f.frontEnd()).setVolumeId(f.volumeId() == null ? "" : f.volumeId())
                            .setReadSourceReplicaId(f.readSource()).setChosenReadSourceReplicaId(f.chosen())
                            .setMembers(f.members()));
                }
            }
            return b.build();
        });
    }

    @Override
    public void setReadSource(dev.prescient.api.nodeagent.v1.SetReadSourceRequest req,
                              StreamObserver<dev.prescient.api.nodeagent.v1.SetReadSourceResponse> out) {
        io(out, () -> {
            requireId("volume_id", req.getVolumeId());
            requireId("replica_id", req.getReplicaId());
            ReadSources.Change r = moves.setReadSource(req.getVolumeId(), req.getReplicaId(), req.getOperationId());
            return dev.prescient.api.nodeagent.v1.SetReadSourceResponse.newBuilder().setFrontEnd(r.frontEnd())
                    .setPreviousReadSourceReplicaId(r.before()).setReadSourceReplicaId(r.now()).build();
        });
    }

    @Override
    public void expandReplica(ExpandReplicaRequest req, StreamObserver<Replica> out) {
        io(out, () -> {
            requireId("replica_id", req.getReplicaId());
            var m = store.find(req.getReplicaId()).orElseThrow(
                    () -> CsiException.notFound("replica " + req.getReplicaId() + " not found"));
            if (req.getNewSizeBytes() <= m.sizeBytes()) {
                return toProto(m);
            }
            // Offline expansion (the driver advertises OFFLINE): the export is restarted, which
            // would cut a connected client (a mounted file system) off mid-flight: refuse instead.
            int clients = exports.connections(m.replicaId());
            if (clients > 0) {
                throw new CsiException(Status.Code.FAILED_PRECONDITION, "ExportInUse", "replica " + m.replicaId()
                        + " has " + clients + " NBD client(s) connected; expansion is offline, detach it first");
            }
            exports.stop(m.replicaId());
            try {
                m = store.grow(m.replicaId(), req.getNewSizeBytes());
            } finally {
                exports.ensure(m.replicaId(), m.volumeId(), m.tier());
            }
            return toProto(store.find(m.replicaId()).orElseThrow());
        });
    }

    @Override
    public void addReplicaFromSource(AddReplicaFromSourceRequest req, StreamObserver<Operation> out) {
        io(out, () -> {
            requireId("replica_id", req.getReplicaId());
            requireId("volume_id", req.getVolumeId());
            require("source_address", req.getSourceAddress());
            requireId("source_replica_id", req.getSourceReplicaId());
            return ops.start(req.getOperationId(), "AddReplicaFromSource", p -> moves.addReplicaFromSource(req, p));
        });
    }

    @Override
    public void attachMember(AttachMemberRequest req, StreamObserver<Operation> out) {
        io(out, () -> {
            requireId("replica_id", req.getReplicaId());
            requireId("member_replica_id", req.getMemberReplicaId());
            require("member_endpoint", req.getMemberEndpoint());
            return ops.start(req.getOperationId(), "AttachMember", p -> moves.attachMember(req, p));
        });
    }

    @Override
    public void detachMember(DetachMemberRequest req, StreamObserver<DetachMemberResponse> out) {
        io(out, () -> {
            requireId("replica_id", req.getReplicaId());
            requireId("member_replica_id", req.getMemberReplicaId());
            return DetachMemberResponse.newBuilder().setExisted(moves.detachMember(req)).build();
        });
    }

    @Override
    public void switchOver(SwitchOverRequest req, StreamObserver<Operation> out) {
        io(out, () -> {
            requireId("volume_id", req.getVolumeId());
            requireId("new_replica_id", req.getNewReplicaId());
            if (req.getMaxPauseMillis() < 0) {
                throw CsiException.invalid("max_pause_millis must not be negative");
            }
            if (!req.getNewReplicaAddress().isEmpty()) {
                requireAddress("new_replica_address", req.getNewReplicaAddress());
            }
            return ops.start(req.getOperationId(), "SwitchOver", p -> moves.switchOver(req, p));
        });
    }

    @Override
    public void scrub(ScrubRequest req, StreamObserver<Operation> out) {
        io(out, () -> {
            requireId("replica_id", req.getReplicaId());
            requireId("peer_replica_id", req.getPeerReplicaId());
            return ops.start(req.getOperationId(), "Scrub", p -> moves.scrub(req, p));
        });
    }

    @Override
    public void getOperation(GetOperationRequest req, StreamObserver<Operation> out) {
        Rpc.unary(out, () -> ops.get(req.getOperationId()));
    }

    @Override
    public void watchOperation(GetOperationRequest req, StreamObserver<Operation> out) {
        // A watcher that hung up (a cancel, or its deadline: AgentCalls watches again) frees this thread; a change
        // sent just after the hang-up is dropped rather than thrown.
        ServerCallStreamObserver<Operation> call = out instanceof ServerCallStreamObserver<Operation> c ? c : null;
        if (call != null) {
            call.setOnCancelHandler(() -> { });
        }
        try {
            Operation op = ops.get(req.getOperationId());
            out.onNext(op);
            while (!Operations.done(op) && (call == null || !call.isCancelled())) {
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
            requireId("snapshot_id", req.getSnapshotId());
            requireId("replica_id", req.getReplicaId());
            var m = store.find(req.getReplicaId()).orElseThrow(
                    () -> CsiException.notFound("replica " + req.getReplicaId() + " not found"));
            if (store.findSnapshot(req.getSnapshotId()).isEmpty()) {
                String uri = exports.ensure(m.replicaId(), m.volumeId(), m.tier());
                return toProto(store.snapshot(req.getSnapshotId(), m, target -> {
                    // Read through the engine (the one owner of the replica), what a reader of the volume sees.
                    try (NbdTransport.Operand from = transport.nbdcopyOperand(uri)) {
                        Exec.check(List.of("nbdcopy", "--destination-is-zero", from.uri(), target.toString()));
                    }
                }));
            }
            return toProto(store.findSnapshot(req.getSnapshotId()).orElseThrow());
        });
    }

    private static Snapshot toProto(EngineReplicas.SnapshotMeta s) {
        return Snapshot.newBuilder().setSnapshotId(s.snapshotId()).setSourceReplicaId(s.replicaId())
                .setVolumeId(s.volumeId()).setSizeBytes(s.sizeBytes()).setCreatedUnixMillis(s.createdMillis())
                .setReady(true).build();
    }

    @Override
    public void deleteSnapshot(DeleteSnapshotRequest req, StreamObserver<DeleteSnapshotResponse> out) {
        io(out, () -> {
            requireId("snapshot_id", req.getSnapshotId());
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
        // Extent heat comes from each replica's engine process, which writes a heat snapshot file
        // every few seconds; consumers (pods) are known here from NodePublishVolume.
        io(out, () -> {
            var b = TelemetrySnapshot.newBuilder().setNodeId(nodeId).setTakenUnixMillis(System.currentTimeMillis());
            for (var m : store.list()) {
                if (!req.getVolumeId().isEmpty() && !m.volumeId().equals(req.getVolumeId())) {
                    continue;
                }
                Optional<HeatSnapshot> heat = readHeat(m.replicaId());
                heat.ifPresent(h -> b.setHalfLifeSeconds(h.halfLifeSeconds()));
                b.addVolumes(TelemetryView.volume(m.volumeId(), heat,
                        consumers.getOrDefault(m.volumeId(), Map.of()).keySet(), req.getMinHeat()));
            }
            // A front-end whose own replica was switched away still serves the volume: its heat is the volume's.
            for (var fe : moves.frontEndsWithoutReplica().entrySet()) {
                String volume = fe.getValue();
                if (!req.getVolumeId().isEmpty() && !volume.equals(req.getVolumeId())) {
                    continue;
                }
                Optional<HeatSnapshot> heat = readHeat(fe.getKey());
                heat.ifPresent(h -> b.setHalfLifeSeconds(h.halfLifeSeconds()));
                b.addVolumes(TelemetryView.volume(volume, heat, consumers.getOrDefault(volume, Map.of()).keySet(),
                        req.getMinHeat()));
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
                        used += EngineReplicas.diskBytes(m.file());
                    }
                }
                b.addTiers(TierUsage.newBuilder().setTier(t.getKey()).setPath(t.getValue().toString())
                        .setCapacityBytes(fs.getTotalSpace()).setUsedBytes(used).setAvailableBytes(fs.getUsableSpace()));
            }
            Map<String, HeatSnapshot> heats = new HashMap<>();
            for (var m : store.list()) {
                readHeat(m.replicaId()).ifPresent(h -> heats.put(m.replicaId(), h));
            }
            for (String fe : moves.frontEndsWithoutReplica().keySet()) {
                readHeat(fe).ifPresent(h -> heats.put(fe, h));
            }
            // Per tier, from the engines of the replicas on it (a front-end without a replica has no tier).
            Map<String, String> tierOf = new HashMap<>();
            for (var m : store.list()) {
                tierOf.put(m.replicaId(), m.tier());
            }
            EngineHealth.Reports io = engineHealth.reports(heats, tierOf);
            b.setReadLatencyP99Micros(io.node().readP99Micros()).setWriteLatencyP99Micros(io.node().writeP99Micros())
                    .setIoErrorsPerSecond(io.node().errorsPerSecond()).setIoErrorsTotal(io.node().errorsTotal());
            for (var t : b.getTiersBuilderList()) {
                EngineHealth.Report r = io.byGroup().get(t.getTier());
                if (r != null) {
                    t.setReadLatencyP99Micros(r.readP99Micros()).setWriteLatencyP99Micros(r.writeP99Micros())
                            .setIoErrorsPerSecond(r.errorsPerSecond());
                }
                TierProbe p = probe;
                if (p != null) {
                    TierProbe.Report pr = p.report(t.getTier());
                    t.setProbeLatencyMicros(pr.latencyMicros()).setProbeErrorsPerSecond(pr.errorsPerSecond());
                }
            }
            List<DeviceHealth> devices = SmartProbe.probe();
            b.setSmartAvailable(!devices.isEmpty()).addAllDevices(devices);
            return b.build();
        });
    }

    private Optional<HeatSnapshot> readHeat(String replicaId) {
        Path f = exports.heatFile(replicaId);
        if (!Files.exists(f)) {
            return Optional.empty();
        }
        try {
            return Optional.of(HeatSnapshotFile.read(f));
        } catch (IOException e) {
            // Replaced by the engine within one interval; telemetry is advisory, so report none.
            return Optional.empty();
        }
    }

    /** The agent's probe of each tier's media, reported with each tier's health (null: none). */
    public void setTierProbe(TierProbe probe) {
        this.probe = probe;
    }

    /** The engine time each health report covers (the node plugin's --health-window-s). */
    public void setHealthWindow(java.time.Duration window) {
        engineHealth = new EngineHealth(window);
    }

    public void close() {
        ops.shutdown();
        moves.close();
    }

    static boolean toolsPresent() {
        return Exec.onPath("nbdcopy");
    }
}
