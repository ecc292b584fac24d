package dev.prescient.csi.controller;

import com.google.protobuf.Int64Value;
import com.google.protobuf.Timestamp;
import csi.v1.ControllerGrpc;
import csi.v1.Csi;
import dev.prescient.api.nodeagent.v1.CreateReplicaRequest;
import dev.prescient.api.nodeagent.v1.CreateSnapshotRequest;
import dev.prescient.api.nodeagent.v1.DeleteReplicaRequest;
import dev.prescient.api.nodeagent.v1.DeleteSnapshotRequest;
import dev.prescient.api.nodeagent.v1.ExpandReplicaRequest;
import dev.prescient.api.nodeagent.v1.ListReplicasRequest;
import dev.prescient.api.nodeagent.v1.Replica;
import dev.prescient.csi.PublishContext;
import dev.prescient.csi.CsiException;
import dev.prescient.csi.Ids;
import dev.prescient.csi.NbdProbe;
import dev.prescient.csi.Rpc;
import dev.prescient.csi.VolumeLocks;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CSI Controller service. Thin: validate, take the per-volume try-lock, then act on the registry
 * (ReplicatedVolume resources) and on node agents, whose errors already carry a gRPC status.
 */
public final class ControllerService extends ControllerGrpc.ControllerImplBase {
    private static final Logger LOG = LoggerFactory.getLogger(ControllerService.class);

    public static final String PARAM_POLICY = "mirrorPolicy";
    public static final String PARAM_TIER = "tier";
    public static final String PARAM_REPLICAS = "replicas";
    public static final String DEFAULT_TIER = "default";
    /** publish_context keys handed to NodeStageVolume (defined in {@link PublishContext}). */
    public static final String CTX_NBD_URI = PublishContext.NBD_URI;
    public static final String CTX_REPLICA_NODE = PublishContext.REPLICA_NODE;
    public static final String CTX_REPLICA_ID = PublishContext.REPLICA_ID;

    private final VolumeRegistry registry;
    private final NodeAgents agents;
    private final VolumeSizing sizing;
    private final VolumeLocks locks = new VolumeLocks();
    /** NBD URI -> empty when the export serves, else why not (volume conditions). */
    private final Function<String, Optional<String>> exportProbe;

    public ControllerService(VolumeRegistry registry, NodeAgents agents, VolumeSizing sizing) {
        this(registry, agents, sizing, uri -> NbdProbe.probe(uri, 2000));
    }

    public ControllerService(VolumeRegistry registry, NodeAgents agents, VolumeSizing sizing,
            Function<String, Optional<String>> exportProbe) {
        this.registry = registry;
        this.agents = agents;
        this.sizing = sizing;
        this.exportProbe = exportProbe;
    }

    /** Volume ids follow from names so a CreateVolume retried after a controller crash lands on the same id. */
    public static String volumeIdFor(String name) {
        return "pv-" + UUID.nameUUIDFromBytes(("volume/" + name).getBytes(StandardCharsets.UTF_8));
    }

    public static String snapshotIdFor(String name) {
        return "snap-" + UUID.nameUUIDFromBytes(("snapshot/" + name).getBytes(StandardCharsets.UTF_8));
    }

    // ---------------------------------------------------------------- capabilities

    @Override
    public void controllerGetCapabilities(Csi.ControllerGetCapabilitiesRequest request,
            StreamObserver<Csi.ControllerGetCapabilitiesResponse> out) {
        Rpc.unary(out, () -> {
            var b = Csi.ControllerGetCapabilitiesResponse.newBuilder();
            for (var t : List.of(Csi.ControllerServiceCapability.RPC.Type.CREATE_DELETE_VOLUME,
                    Csi.ControllerServiceCapability.RPC.Type.PUBLISH_UNPUBLISH_VOLUME,
                    Csi.ControllerServiceCapability.RPC.Type.LIST_VOLUMES,
                    Csi.ControllerServiceCapability.RPC.Type.GET_CAPACITY,
                    Csi.ControllerServiceCapability.RPC.Type.CREATE_DELETE_SNAPSHOT,
                    Csi.ControllerServiceCapability.RPC.Type.LIST_SNAPSHOTS,
                    Csi.ControllerServiceCapability.RPC.Type.CLONE_VOLUME,
                    Csi.ControllerServiceCapability.RPC.Type.PUBLISH_READONLY,
                    Csi.ControllerServiceCapability.RPC.Type.EXPAND_VOLUME,
                    Csi.ControllerServiceCapability.RPC.Type.LIST_VOLUMES_PUBLISHED_NODES,
                    Csi.ControllerServiceCapability.RPC.Type.VOLUME_CONDITION,
                    Csi.ControllerServiceCapability.RPC.Type.GET_VOLUME,
                    Csi.ControllerServiceCapability.RPC.Type.SINGLE_NODE_MULTI_WRITER)) {
                b.addCapabilities(Csi.ControllerServiceCapability.newBuilder()
                        .setRpc(Csi.ControllerServiceCapability.RPC.newBuilder().setType(t)));
            }
            return b.build();
        });
    }

    // ---------------------------------------------------------------- volumes

    @Override
    public void createVolume(Csi.CreateVolumeRequest req, StreamObserver<Csi.CreateVolumeResponse> out) {
        Rpc.unary(out, () -> {
            if (req.getName().isEmpty()) {
                throw CsiException.invalid("name is required");
            }
            Capabilities.requireWellFormed(req.getVolumeCapabilitiesList());
            Capabilities.unsupported(req.getVolumeCapabilitiesList()).ifPresent(r -> {
                throw CsiException.invalid(r);
            });
            Map<String, String> params = req.getParametersMap();
            StorageParams sp = StorageParams.parse(params);
            long required = req.getCapacityRange().getRequiredBytes();
            long limit = req.getCapacityRange().getLimitBytes();
            String sourceKind = "";
            String sourceId = "";
            if (req.hasVolumeContentSource()) {
                var src = req.getVolumeContentSource();
                switch (src.getTypeCase()) {
                    case SNAPSHOT -> {
                        sourceKind = "snapshot";
                        sourceId = src.getSnapshot().getSnapshotId();
                    }
                    case VOLUME -> {
                        sourceKind = "volume";
                        sourceId = src.getVolume().getVolumeId();
                    }
                    default -> throw CsiException.invalid("volume_content_source without a type");
                }
                Ids.require("volume_content_source " + sourceKind + " id", sourceId);
            }
            String id = volumeIdFor(req.getName());
            try (var held = locks.acquire("name:" + req.getName()); var held2 = locks.acquire(id)) {
                Optional<VolumeRecord> existing = registry.volume(id);
                if (existing.isPresent()) {
                    VolumeRecord v = existing.get();
                    if (!VolumeSizing.satisfies(v.sizeBytes(), required, limit)
                            || !v.parameters().equals(new HashMap<>(params))
                            || !v.sourceKind().equals(sourceKind) || !v.sourceId().equals(sourceId)) {
                        throw new CsiException(Status.Code.ALREADY_EXISTS, "NameConflict",
                                "volume " + req.getName() + " exists with other size, parameters or source");
                    }
                    if (v.phase().equals("Ready")) {
                        return Csi.CreateVolumeResponse.newBuilder().setVolume(toCsi(v, req)).build();
                    }
                    // Pending: a previous attempt recorded the volume but did not finish the replica.
                    return Csi.CreateVolumeResponse.newBuilder().setVolume(toCsi(createReplica(v), req)).build();
                }
                long size = sizing.decide(required, limit);
                final String src = sourceId;
                String nodeId;
                String zone;
                switch (sourceKind) {
                    case "snapshot" -> {
                        SnapshotRecord s = registry.snapshot(src).orElseThrow(
                                () -> CsiException.notFound("source snapshot " + src + " not found"));
                        if (size < s.sizeBytes()) {
                            size = requireAtLeast(s.sizeBytes(), limit, "snapshot");
                        }
                        nodeId = s.nodeId();
                        zone = zoneOf(nodeId);
                    }
                    case "volume" -> {
                        VolumeRecord s = registry.volume(src).orElseThrow(
                                () -> CsiException.notFound("source volume " + src + " not found"));
                        if (size < s.sizeBytes()) {
                            size = requireAtLeast(s.sizeBytes(), limit, "volume");
                        }
                        nodeId = s.nodeId();
                        zone = s.zone();
                    }
                    default -> {
                        NodeOffers.Offer offer = NodeOffers.gather(agents, sp.tier());
                        Placement.requireKnownTier(sp.tier(), offer.tiers());
                        var chosen = Placement.rank(offer.candidates(),
                                segments(req.getAccessibilityRequirements().getRequisiteList()),
                                segments(req.getAccessibilityRequirements().getPreferredList()), size).get(0);
                        nodeId = chosen.nodeId();
                        zone = chosen.zone();
                    }
                }
                VolumeRecord v = new VolumeRecord(id, req.getName(), size, params, sourceKind, sourceId, nodeId,
                        zone, sp.tier(), sp.replicas(), sp.mirrorPolicy(), "Pending", Set.of(), Set.of());
                // Record first: a crash between the two steps leaves a Pending record that the retry completes.
                registry.putVolume(v);
                return Csi.CreateVolumeResponse.newBuilder().setVolume(toCsi(createReplica(v), req)).build();
            }
        });
    }

    private long requireAtLeast(long sourceSize, long limit, String what) {
        if (limit > 0 && sourceSize > limit) {
            throw new CsiException(Status.Code.OUT_OF_RANGE, "SourceTooLarge",
                    "source " + what + " of " + sourceSize + " bytes does not fit limit_bytes " + limit);
        }
        return sourceSize;
    }

    private VolumeRecord createReplica(VolumeRecord v) {
        var b = CreateReplicaRequest.newBuilder()
                .setOperationId("create-" + v.primaryReplicaId())
                .setReplicaId(v.primaryReplicaId()).setVolumeId(v.id()).setTier(v.tier()).setSizeBytes(v.sizeBytes());
        if (v.sourceKind().equals("snapshot")) {
            b.setSourceSnapshotId(v.sourceId());
        } else if (v.sourceKind().equals("volume")) {
            b.setSourceReplicaId(registry.volume(v.sourceId()).map(VolumeRecord::primaryReplicaId)
                    .orElseThrow(() -> CsiException.notFound("source volume " + v.sourceId() + " vanished")));
        }
        agents.stub(v.nodeId()).createReplica(b.build());
        VolumeRecord ready = v.withPhase("Ready");
        registry.putVolume(ready);
        LOG.info("volume {} ({}) ready: {} bytes on node {} tier {}", v.id(), v.name(), v.sizeBytes(), v.nodeId(),
                v.tier());
        return ready;
    }

    private Csi.Volume toCsi(VolumeRecord v, Csi.CreateVolumeRequest req) {
        var b = Csi.Volume.newBuilder().setVolumeId(v.id()).setCapacityBytes(v.sizeBytes())
                .putVolumeContext("prescient.dev/tier", v.tier())
                .putVolumeContext("prescient.dev/replicas", Integer.toString(v.replicas()))
                .addAccessibleTopology(Csi.Topology.newBuilder().putSegments(Placement.ZONE_KEY, v.zone())
                        .putSegments(Placement.NODE_KEY, v.nodeId()));
        if (!v.mirrorPolicy().isEmpty()) {
            b.putVolumeContext("prescient.dev/mirror-policy", v.mirrorPolicy());
        }
        if (req != null && req.hasVolumeContentSource()) {
            b.setContentSource(req.getVolumeContentSource());
        } else if (v.sourceKind().equals("snapshot")) {
            b.setContentSource(Csi.VolumeContentSource.newBuilder()
                    .setSnapshot(Csi.VolumeContentSource.SnapshotSource.newBuilder().setSnapshotId(v.sourceId())));
        } else if (v.sourceKind().equals("volume")) {
            b.setContentSource(Csi.VolumeContentSource.newBuilder()
                    .setVolume(Csi.VolumeContentSource.VolumeSource.newBuilder().setVolumeId(v.sourceId())));
        }
        return b.build();
    }

    @Override
    public void deleteVolume(Csi.DeleteVolumeRequest req, StreamObserver<Csi.DeleteVolumeResponse> out) {
        Rpc.unary(out, () -> {
            requireVolumeId(req.getVolumeId());
            try (var held = locks.acquire(req.getVolumeId())) {
                Optional<VolumeRecord> v = registry.volume(req.getVolumeId());
                if (v.isEmpty()) {
                    return Csi.DeleteVolumeResponse.getDefaultInstance();
                }
                if (!v.get().publishedNodes().isEmpty()) {
                    throw new CsiException(Status.Code.FAILED_PRECONDITION, "VolumeInUse",
                            "volume is still published to " + v.get().publishedNodes());
                }
                // Every replica on every node, not only the primary: the operator may have added mirrors.
                for (var n : agents.nodes()) {
                    for (Replica r : agents.stub(n.nodeId()).listReplicas(
                            ListReplicasRequest.newBuilder().setVolumeId(req.getVolumeId()).build()).getReplicasList()) {
                        agents.stub(n.nodeId()).deleteReplica(DeleteReplicaRequest.newBuilder()
                                .setOperationId("delete-" + r.getReplicaId()).setReplicaId(r.getReplicaId()).build());
                    }
                }
                registry.deleteVolume(req.getVolumeId());
                return Csi.DeleteVolumeResponse.getDefaultInstance();
            }
        });
    }

    @Override
    public void controllerPublishVolume(Csi.ControllerPublishVolumeRequest req,
            StreamObserver<Csi.ControllerPublishVolumeResponse> out) {
        Rpc.unary(out, () -> {
            requireVolumeId(req.getVolumeId());
            if (req.getNodeId().isEmpty()) {
                throw CsiException.invalid("node_id is required");
            }
            if (!req.hasVolumeCapability()) {
                throw CsiException.invalid("volume_capability is required");
            }
            Capabilities.requireWellFormed(req.getVolumeCapability());
            try (var held = locks.acquire(req.getVolumeId())) {
                VolumeRecord v = registry.volume(req.getVolumeId())
                        .orElseThrow(() -> CsiException.notFound("volume " + req.getVolumeId() + " not found"));
                if (agents.nodes().stream().noneMatch(n -> n.nodeId().equals(req.getNodeId()))) {
                    throw CsiException.notFound("node " + req.getNodeId() + " not found");
                }
                Capabilities.unsupported(req.getVolumeCapability()).ifPresent(r -> {
                    throw CsiException.invalid(r);
                });
                boolean already = v.publishedNodes().contains(req.getNodeId());
                if (already && v.readonlyNodes().contains(req.getNodeId()) != req.getReadonly()) {
                    throw new CsiException(Status.Code.ALREADY_EXISTS, "PublishedDifferently",
                            "volume already published to " + req.getNodeId() + " with readonly="
                                    + !req.getReadonly());
                }
                if (!already && !v.publishedNodes().isEmpty()) {
                    throw new CsiException(Status.Code.FAILED_PRECONDITION, "PublishedElsewhere",
                            "single-node volume already published to " + v.publishedNodes());
                }
                Replica r = primaryReplica(v);
                if (!already) {
                    Set<String> nodes = new HashSet<>(v.publishedNodes());
                    nodes.add(req.getNodeId());
                    Set<String> ro = new HashSet<>(v.readonlyNodes());
                    if (req.getReadonly()) {
                        ro.add(req.getNodeId());
                    }
                    registry.putVolume(v.withPublished(nodes, ro));
                }
                return Csi.ControllerPublishVolumeResponse.newBuilder()
                        .putPublishContext(CTX_NBD_URI, r.getNbdEndpoint())
                        .putPublishContext(CTX_REPLICA_NODE, r.getNodeId().isEmpty() ? v.nodeId() : r.getNodeId())
                        .putPublishContext(CTX_REPLICA_ID, r.getReplicaId())
                        .build();
            }
        });
    }

    /**
     * The replica a consumer attaches to: the one the volume was created with, or, once a move (retier, migration)
     * replaced it, the volume's one healthy replica on its node, else its one healthy replica anywhere. The record
     * keeps the creation's replica; the operator moves replicas without telling this controller.
     */
    private Replica primaryReplica(VolumeRecord v) {
        return PrimaryReplica.choose(v, agents.stub(v.nodeId()).listReplicas(ListReplicasRequest.newBuilder()
                .setVolumeId(v.id()).build()).getReplicasList(), () -> {
                    List<Replica> all = new ArrayList<>();
                    for (NodeAgents.AgentNode n : agents.nodes()) {
                        all.addAll(agents.stub(n.nodeId()).listReplicas(ListReplicasRequest.newBuilder()
                                .setVolumeId(v.id()).build()).getReplicasList());
                    }
                    return all;
                });
    }

    @Override
    public void controllerUnpublishVolume(Csi.ControllerUnpublishVolumeRequest req,
            StreamObserver<Csi.ControllerUnpublishVolumeResponse> out) {
        Rpc.unary(out, () -> {
            requireVolumeId(req.getVolumeId());
            try (var held = locks.acquire(req.getVolumeId())) {
                registry.volume(req.getVolumeId()).ifPresent(v -> {
                    Set<String> nodes = new HashSet<>(v.publishedNodes());
                    Set<String> ro = new HashSet<>(v.readonlyNodes());
                    if (req.getNodeId().isEmpty()) {
                        nodes.clear();
                        ro.clear();
                    } else {
                        nodes.remove(req.getNodeId());
                        ro.remove(req.getNodeId());
                    }
                    registry.putVolume(v.withPublished(nodes, ro));
                });
                // Unknown volume or node: already unpublished as far as anyone can tell (spec: OK).
                return Csi.ControllerUnpublishVolumeResponse.getDefaultInstance();
            }
        });
    }

    @Override
    public void validateVolumeCapabilities(Csi.ValidateVolumeCapabilitiesRequest req,
            StreamObserver<Csi.ValidateVolumeCapabilitiesResponse> out) {
        Rpc.unary(out, () -> {
            requireVolumeId(req.getVolumeId());
            Capabilities.requireWellFormed(req.getVolumeCapabilitiesList());
            VolumeRecord v = registry.volume(req.getVolumeId())
                    .orElseThrow(() -> CsiException.notFound("volume " + req.getVolumeId() + " not found"));
            var b = Csi.ValidateVolumeCapabilitiesResponse.newBuilder();
            Optional<String> bad = Capabilities.unsupported(req.getVolumeCapabilitiesList());
            if (bad.isEmpty() && !req.getParametersMap().isEmpty()
                    && !v.parameters().equals(new HashMap<>(req.getParametersMap()))) {
                bad = Optional.of("parameters differ from those the volume was created with");
            }
            if (bad.isPresent()) {
                return b.setMessage(bad.get()).build();
            }
            return b.setConfirmed(Csi.ValidateVolumeCapabilitiesResponse.Confirmed.newBuilder()
                    .addAllVolumeCapabilities(req.getVolumeCapabilitiesList())
                    .putAllParameters(req.getParametersMap())
                    .putAllVolumeContext(req.getVolumeContextMap())).build();
        });
    }

    @Override
    public void listVolumes(Csi.ListVolumesRequest req, StreamObserver<Csi.ListVolumesResponse> out) {
        Rpc.unary(out, () -> {
            Page<VolumeRecord> page = Page.of(registry.volumes(), VolumeRecord::id, req.getStartingToken(),
                    req.getMaxEntries());
            var b = Csi.ListVolumesResponse.newBuilder().setNextToken(page.nextToken());
            // One ListReplicas per node holding a primary on this page, not one per volume.
            Map<String, VolumeConditions.NodeView> views = new HashMap<>();
            for (VolumeRecord v : page.items()) {
                var view = views.computeIfAbsent(v.nodeId(), this::nodeView);
                b.addEntries(Csi.ListVolumesResponse.Entry.newBuilder().setVolume(toCsi(v, null))
                        .setStatus(Csi.ListVolumesResponse.VolumeStatus.newBuilder()
                                .addAllPublishedNodeIds(new TreeSet<>(v.publishedNodes()))
                                .setVolumeCondition(condition(v, view))));
            }
            return b.build();
        });
    }

    @Override
    public void controllerGetVolume(Csi.ControllerGetVolumeRequest req,
            StreamObserver<Csi.ControllerGetVolumeResponse> out) {
        Rpc.unary(out, () -> {
            requireVolumeId(req.getVolumeId());
            VolumeRecord v = registry.volume(req.getVolumeId())
                    .orElseThrow(() -> CsiException.notFound("volume " + req.getVolumeId() + " not found"));
            return Csi.ControllerGetVolumeResponse.newBuilder().setVolume(toCsi(v, null))
                    .setStatus(Csi.ControllerGetVolumeResponse.VolumeStatus.newBuilder()
                            .addAllPublishedNodeIds(new TreeSet<>(v.publishedNodes()))
                            .setVolumeCondition(condition(v, nodeView(v.nodeId()))))
                    .build();
        });
    }

    private Csi.VolumeCondition condition(VolumeRecord v, VolumeConditions.NodeView view) {
        // While an operation holds the volume (an offline expansion counts NBD clients) the
        // export is not probed: the probe's own connection must not make it look in use.
        Function<String, Optional<String>> probe = locks.isHeld(v.id()) ? uri -> Optional.empty() : exportProbe;
        return VolumeConditions.of(v, view, probe);
    }

    /** Every replica the node holds (all volumes), or why the agent could not say. */
    private VolumeConditions.NodeView nodeView(String nodeId) {
        if (agents.nodes().stream().noneMatch(n -> n.nodeId().equals(nodeId))) {
            return VolumeConditions.NodeView.unknown();
        }
        try {
            return VolumeConditions.NodeView.of(agents.stub(nodeId)
                    .listReplicas(ListReplicasRequest.getDefaultInstance()).getReplicasList());
        } catch (StatusRuntimeException e) {
            return VolumeConditions.NodeView.failed(e.getStatus().getCode() + " " + e.getStatus().getDescription());
        }
    }

    @Override
    public void getCapacity(Csi.GetCapacityRequest req, StreamObserver<Csi.GetCapacityResponse> out) {
        Rpc.unary(out, () -> {
            String tier = StorageParams.parse(req.getParametersMap()).tier();
            Map<String, String> segment = req.hasAccessibleTopology() ? req.getAccessibleTopology().getSegmentsMap()
                    : Map.of();
            long total = 0;
            long largest = 0;
            for (var c : NodeOffers.gather(agents, tier).candidates()) {
                if (Placement.matches(c, segment)) {
                    total += c.availableBytes();
                    largest = Math.max(largest, c.availableBytes());
                }
            }
            // A volume's primary replica lives on one node: the largest volume is bounded by the
            // node with most room, and by the configured maximum.
            return Csi.GetCapacityResponse.newBuilder().setAvailableCapacity(total)
                    .setMaximumVolumeSize(Int64Value.of(Math.min(largest, sizing.maxBytes()))).build();
        });
    }

    private String zoneOf(String nodeId) {
        return agents.nodes().stream().filter(n -> n.nodeId().equals(nodeId)).map(NodeAgents.AgentNode::zone)
                .findFirst().orElse("");
    }

    private static List<Map<String, String>> segments(List<Csi.Topology> topologies) {
        return topologies.stream().map(t -> (Map<String, String>) new HashMap<>(t.getSegmentsMap())).toList();
    }

    @Override
    public void controllerExpandVolume(Csi.ControllerExpandVolumeRequest req,
            StreamObserver<Csi.ControllerExpandVolumeResponse> out) {
        Rpc.unary(out, () -> {
            requireVolumeId(req.getVolumeId());
            if (!req.hasCapacityRange()) {
                throw CsiException.invalid("capacity_range is required");
            }
            try (var held = locks.acquire(req.getVolumeId())) {
                VolumeRecord v = registry.volume(req.getVolumeId())
                        .orElseThrow(() -> CsiException.notFound("volume " + req.getVolumeId() + " not found"));
                long size = sizing.decide(req.getCapacityRange().getRequiredBytes(),
                        req.getCapacityRange().getLimitBytes());
                // A block volume needs nothing from the node: the bigger device is the whole expansion.
                boolean block = req.hasVolumeCapability() && req.getVolumeCapability().hasBlock();
                if (size <= v.sizeBytes()) {
                    return Csi.ControllerExpandVolumeResponse.newBuilder().setCapacityBytes(v.sizeBytes())
                            .setNodeExpansionRequired(!block).build();
                }
                for (var n : agents.nodes()) {
                    for (Replica r : agents.stub(n.nodeId()).listReplicas(
                            ListReplicasRequest.newBuilder().setVolumeId(v.id()).build()).getReplicasList()) {
                        agents.stub(n.nodeId()).expandReplica(ExpandReplicaRequest.newBuilder()
                                .setOperationId("expand-" + r.getReplicaId() + "-" + size)
                                .setReplicaId(r.getReplicaId()).setNewSizeBytes(size).build());
                    }
                }
                registry.putVolume(v.withSize(size));
                return Csi.ControllerExpandVolumeResponse.newBuilder().setCapacityBytes(size)
                        .setNodeExpansionRequired(!block).build();
            }
        });
    }

    // ---------------------------------------------------------------- snapshots

    @Override
    public void createSnapshot(Csi.CreateSnapshotRequest req, StreamObserver<Csi.CreateSnapshotResponse> out) {
        Rpc.unary(out, () -> {
            if (req.getName().isEmpty()) {
                throw CsiException.invalid("name is required");
            }
            Ids.require("source_volume_id", req.getSourceVolumeId());
            String id = snapshotIdFor(req.getName());
            try (var held = locks.acquire(id); var held2 = locks.acquire(req.getSourceVolumeId())) {
                Optional<SnapshotRecord> existing = registry.snapshot(id);
                if (existing.isPresent()) {
                    if (!existing.get().sourceVolumeId().equals(req.getSourceVolumeId())) {
                        throw new CsiException(Status.Code.ALREADY_EXISTS, "NameConflict",
                                "snapshot " + req.getName() + " exists for another source volume");
                    }
                    return Csi.CreateSnapshotResponse.newBuilder().setSnapshot(toCsi(existing.get())).build();
                }
                VolumeRecord v = registry.volume(req.getSourceVolumeId()).orElseThrow(
                        () -> CsiException.notFound("source volume " + req.getSourceVolumeId() + " not found"));
                var snap = agents.stub(v.nodeId()).createSnapshot(CreateSnapshotRequest.newBuilder()
                        .setOperationId("snapshot-" + id).setSnapshotId(id).setReplicaId(v.primaryReplicaId()).build());
                SnapshotRecord s = new SnapshotRecord(id, req.getName(), v.id(), v.nodeId(), v.sizeBytes(),
                        snap.getCreatedUnixMillis(), snap.getReady());
                registry.putSnapshot(s);
                return Csi.CreateSnapshotResponse.newBuilder().setSnapshot(toCsi(s)).build();
            }
        });
    }

    private static Csi.Snapshot toCsi(SnapshotRecord s) {
        return Csi.Snapshot.newBuilder().setSnapshotId(s.id()).setSourceVolumeId(s.sourceVolumeId())
                .setSizeBytes(s.sizeBytes()).setReadyToUse(s.ready())
                .setCreationTime(Timestamp.newBuilder().setSeconds(s.createdMillis() / 1000)
                        .setNanos((int) (s.createdMillis() % 1000) * 1_000_000))
                .build();
    }

    @Override
    public void deleteSnapshot(Csi.DeleteSnapshotRequest req, StreamObserver<Csi.DeleteSnapshotResponse> out) {
        Rpc.unary(out, () -> {
            Ids.require("snapshot_id", req.getSnapshotId());
            try (var held = locks.acquire(req.getSnapshotId())) {
                Optional<SnapshotRecord> s = registry.snapshot(req.getSnapshotId());
                if (s.isPresent()) {
                    agents.stub(s.get().nodeId()).deleteSnapshot(DeleteSnapshotRequest.newBuilder()
                            .setOperationId("delete-" + s.get().id()).setSnapshotId(s.get().id()).build());
                    registry.deleteSnapshot(s.get().id());
                }
                return Csi.DeleteSnapshotResponse.getDefaultInstance();
            }
        });
    }

    @Override
    public void listSnapshots(Csi.ListSnapshotsRequest req, StreamObserver<Csi.ListSnapshotsResponse> out) {
        Rpc.unary(out, () -> {
            List<SnapshotRecord> all = registry.snapshots().stream()
                    .filter(s -> req.getSnapshotId().isEmpty() || s.id().equals(req.getSnapshotId()))
                    .filter(s -> req.getSourceVolumeId().isEmpty() || s.sourceVolumeId().equals(req.getSourceVolumeId()))
                    .toList();
            Page<SnapshotRecord> page = Page.of(all, SnapshotRecord::id, req.getStartingToken(), req.getMaxEntries());
            var b = Csi.ListSnapshotsResponse.newBuilder().setNextToken(page.nextToken());
            page.items().forEach(s -> b.addEntries(Csi.ListSnapshotsResponse.Entry.newBuilder().setSnapshot(toCsi(s))));
            return b.build();
        });
    }

    private static void requireVolumeId(String id) {
        // The same rule as the node's, where ids name files: an id the node would refuse is refused here first.
        Ids.require("volume_id", id);
    }
}
