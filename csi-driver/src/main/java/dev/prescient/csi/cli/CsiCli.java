package dev.prescient.csi.cli;

import com.google.protobuf.Message;
import com.google.protobuf.TextFormat;
import csi.v1.ControllerGrpc;
import csi.v1.Csi;
import csi.v1.IdentityGrpc;
import csi.v1.NodeGrpc;
import dev.prescient.api.nodeagent.v1.CreateReplicaRequest;
import dev.prescient.api.nodeagent.v1.DeleteReplicaRequest;
import dev.prescient.api.nodeagent.v1.ListReplicasRequest;
import dev.prescient.api.nodeagent.v1.NodeAgentGrpc;
import dev.prescient.api.nodeagent.v1.NodeHealthRequest;
import dev.prescient.api.nodeagent.v1.TelemetryRequest;
import dev.prescient.csi.agent.AgentTls;
import dev.prescient.csi.controller.ControllerService;
import dev.prescient.csi.server.UnixSocketServers;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * Drives the driver by hand, like kubelet and the sidecars would. CSI commands talk to
 * {@code --endpoint unix:///path}; agent commands to {@code --agent host:port} (with
 * {@code --tls-cert/--tls-key/--tls-ca}, or {@code --insecure} for a local plaintext agent).
 * Prints responses in protobuf text format; exits 1 with the gRPC status on failure.
 */
public final class CsiCli {
    private CsiCli() {
    }

    static final String USAGE = """
        usage: csi-cli [--endpoint unix:///path | --agent host:port [--insecure | --tls-cert c --tls-key k --tls-ca ca]] CMD ...
        identity:   info
        controller: create NAME SIZE_BYTES [--block] [--fs ext4|xfs] [--param k=v]... [--zone Z]
                    delete VOLUME_ID | list [--max N] [--token T] | publish VOLUME_ID NODE_ID [--ro]
                    unpublish VOLUME_ID NODE_ID | expand VOLUME_ID SIZE_BYTES | capacity [--tier T] [--zone Z]
                    snapshot NAME VOLUME_ID | snapshots | delete-snapshot SNAPSHOT_ID
                    validate VOLUME_ID [--block] [--fs F] | get VOLUME_ID (published nodes, volume condition)
        node:       node-info | stage VOLUME_ID STAGING_PATH [--block] [--fs F] [--nbd-uri URI]
                    unstage VOLUME_ID STAGING_PATH | publish-node VOLUME_ID STAGING_PATH TARGET_PATH [--block] [--ro]
                    unpublish-node VOLUME_ID TARGET_PATH | stats VOLUME_ID PATH (usage, volume condition)
                    expand-node VOLUME_ID PATH
        capability options (create, publish, validate, stage, publish-node): --access MODE (default
                    SINGLE_NODE_WRITER; also SINGLE_NODE_SINGLE_WRITER, SINGLE_NODE_MULTI_WRITER, SINGLE_NODE_READER_ONLY)
        agent:      replicas [VOLUME_ID] | create-replica REPLICA_ID VOLUME_ID SIZE_BYTES [--tier T]
                    delete-replica REPLICA_ID | health | telemetry [VOLUME_ID]
                    add-replica OP_ID REPLICA_ID VOLUME_ID SOURCE_AGENT SOURCE_REPLICA_ID [--tier T] [--bps N]
                    scrub OP_ID REPLICA_ID PEER_AGENT PEER_REPLICA_ID | switch OP_ID VOLUME_ID NEW_REPLICA_ID [--max-pause-ms N]
                    operation OP_ID | cancel OP_ID
        """;

    public static void main(String[] argv) throws Exception {
        List<String> args = new ArrayList<>(Arrays.asList(argv));
        String endpoint = option(args, "--endpoint", System.getenv().getOrDefault("CSI_ENDPOINT", ""));
        String agent = option(args, "--agent", "");
        boolean insecure = flag(args, "--insecure");
        String cert = option(args, "--tls-cert", "");
        String key = option(args, "--tls-key", "");
        String ca = option(args, "--tls-ca", "");
        if (args.isEmpty()) {
            System.err.print(USAGE);
            System.exit(2);
        }
        ManagedChannel ch = null;
        try {
            if (!agent.isEmpty()) {
                AgentTls tls = insecure ? AgentTls.insecurePlaintext()
                        : new AgentTls(Path.of(cert), Path.of(key), Path.of(ca), false);
                ch = tls.channel(agent);
                print(agentCommand(NodeAgentGrpc.newBlockingStub(ch), args));
            } else {
                if (endpoint.isEmpty()) {
                    throw new IllegalArgumentException("--endpoint (or CSI_ENDPOINT) is required");
                }
                ch = UnixSocketServers.channel(UnixSocketServers.socketPath(endpoint));
                for (Message m : csiCommand(ch, args)) {
                    print(m);
                }
            }
        } catch (StatusRuntimeException e) {
            System.err.println(e.getStatus().getCode() + ": " + e.getStatus().getDescription());
            System.exit(1);
        } finally {
            if (ch != null) {
                ch.shutdownNow();
            }
        }
    }

    static void print(Message m) {
        System.out.println(TextFormat.printer().printToString(m).strip());
    }

    static String option(List<String> args, String name, String def) {
        int i = args.indexOf(name);
        if (i < 0) {
            return def;
        }
        String v = args.get(i + 1);
        args.remove(i + 1);
        args.remove(i);
        return v;
    }

    static boolean flag(List<String> args, String name) {
        return args.remove(name);
    }

    static Csi.VolumeCapability capability(List<String> args) {
        boolean block = flag(args, "--block");
        String fs = option(args, "--fs", "");
        String access = option(args, "--access", "SINGLE_NODE_WRITER");
        Csi.VolumeCapability.AccessMode.Mode mode;
        try {
            mode = Csi.VolumeCapability.AccessMode.Mode.valueOf(access.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--access " + access + ": not a CSI access mode; one of "
                    + Arrays.toString(Csi.VolumeCapability.AccessMode.Mode.values()));
        }
        var b = Csi.VolumeCapability.newBuilder().setAccessMode(Csi.VolumeCapability.AccessMode.newBuilder().setMode(mode));
        if (block) {
            b.setBlock(Csi.VolumeCapability.BlockVolume.getDefaultInstance());
        } else {
            b.setMount(Csi.VolumeCapability.MountVolume.newBuilder().setFsType(fs));
        }
        return b.build();
    }

    static List<Message> csiCommand(ManagedChannel ch, List<String> a) {
        var id = IdentityGrpc.newBlockingStub(ch);
        var ctl = ControllerGrpc.newBlockingStub(ch);
        var node = NodeGrpc.newBlockingStub(ch);
        String cmd = a.remove(0);
        return switch (cmd) {
            case "info" -> List.of(id.getPluginInfo(Csi.GetPluginInfoRequest.getDefaultInstance()),
                    id.getPluginCapabilities(Csi.GetPluginCapabilitiesRequest.getDefaultInstance()),
                    id.probe(Csi.ProbeRequest.getDefaultInstance()));
            case "create" -> {
                var cap = capability(a);
                String zone = option(a, "--zone", "");
                var b = Csi.CreateVolumeRequest.newBuilder().addVolumeCapabilities(cap);
                String p;
                while (!(p = option(a, "--param", "")).isEmpty()) {
                    b.putParameters(p.substring(0, p.indexOf('=')), p.substring(p.indexOf('=') + 1));
                }
                if (!zone.isEmpty()) {
                    b.setAccessibilityRequirements(Csi.TopologyRequirement.newBuilder()
                            .addRequisite(Csi.Topology.newBuilder().putSegments("topology.kubernetes.io/zone", zone)));
                }
                yield List.of(ctl.createVolume(b.setName(a.get(0)).setCapacityRange(Csi.CapacityRange.newBuilder()
                        .setRequiredBytes(Long.parseLong(a.get(1)))).build()));
            }
            case "delete" -> List.of(ctl.deleteVolume(Csi.DeleteVolumeRequest.newBuilder().setVolumeId(a.get(0)).build()));
            case "get" -> List.of(ctl.controllerGetVolume(Csi.ControllerGetVolumeRequest.newBuilder()
                    .setVolumeId(a.get(0)).build()));
            case "list" -> {
                int max = Integer.parseInt(option(a, "--max", "0"));
                String token = option(a, "--token", "");
                yield List.of(ctl.listVolumes(Csi.ListVolumesRequest.newBuilder().setMaxEntries(max)
                        .setStartingToken(token).build()));
            }
            case "publish" -> {
                boolean ro = flag(a, "--ro");
                var cap = capability(a);
                yield List.of(ctl.controllerPublishVolume(Csi.ControllerPublishVolumeRequest.newBuilder()
                        .setVolumeId(a.get(0)).setNodeId(a.get(1)).setVolumeCapability(cap).setReadonly(ro).build()));
            }
            case "unpublish" -> List.of(ctl.controllerUnpublishVolume(Csi.ControllerUnpublishVolumeRequest.newBuilder()
                    .setVolumeId(a.get(0)).setNodeId(a.get(1)).build()));
            case "expand" -> List.of(ctl.controllerExpandVolume(Csi.ControllerExpandVolumeRequest.newBuilder()
                    .setVolumeId(a.get(0)).setCapacityRange(Csi.CapacityRange.newBuilder()
                            .setRequiredBytes(Long.parseLong(a.get(1)))).build()));
            case "capacity" -> {
                String tier = option(a, "--tier", "");
                String zone = option(a, "--zone", "");
                var b = Csi.GetCapacityRequest.newBuilder();
                if (!tier.isEmpty()) {
                    b.putParameters("tier", tier);
                }
                if (!zone.isEmpty()) {
                    b.setAccessibleTopology(Csi.Topology.newBuilder().putSegments("topology.kubernetes.io/zone", zone));
                }
                yield List.of(ctl.getCapacity(b.build()));
            }
            case "snapshot" -> List.of(ctl.createSnapshot(Csi.CreateSnapshotRequest.newBuilder().setName(a.get(0))
                    .setSourceVolumeId(a.get(1)).build()));
            case "snapshots" -> List.of(ctl.listSnapshots(Csi.ListSnapshotsRequest.getDefaultInstance()));
            case "delete-snapshot" -> List.of(ctl.deleteSnapshot(Csi.DeleteSnapshotRequest.newBuilder()
                    .setSnapshotId(a.get(0)).build()));
            case "validate" -> {
                var cap = capability(a);
                yield List.of(ctl.validateVolumeCapabilities(Csi.ValidateVolumeCapabilitiesRequest.newBuilder()
                        .setVolumeId(a.get(0)).addVolumeCapabilities(cap).build()));
            }
            case "node-info" -> List.of(node.nodeGetInfo(Csi.NodeGetInfoRequest.getDefaultInstance()),
                    node.nodeGetCapabilities(Csi.NodeGetCapabilitiesRequest.getDefaultInstance()));
            case "stage" -> {
                String uri = option(a, "--nbd-uri", "");
                var cap = capability(a);
                var b = Csi.NodeStageVolumeRequest.newBuilder().setVolumeId(a.get(0)).setStagingTargetPath(a.get(1))
                        .setVolumeCapability(cap);
                if (!uri.isEmpty()) {
                    b.putPublishContext(ControllerService.CTX_NBD_URI, uri);
                }
                yield List.of(node.nodeStageVolume(b.build()));
            }
            case "unstage" -> List.of(node.nodeUnstageVolume(Csi.NodeUnstageVolumeRequest.newBuilder()
                    .setVolumeId(a.get(0)).setStagingTargetPath(a.get(1)).build()));
            case "publish-node" -> {
                boolean ro = flag(a, "--ro");
                var cap = capability(a);
                yield List.of(node.nodePublishVolume(Csi.NodePublishVolumeRequest.newBuilder().setVolumeId(a.get(0))
                        .setStagingTargetPath(a.get(1)).setTargetPath(a.get(2)).setVolumeCapability(cap).setReadonly(ro)
                        .putVolumeContext("csi.storage.k8s.io/pod.name", "csi-cli")
                        .putVolumeContext("csi.storage.k8s.io/pod.namespace", "manual")
                        .putVolumeContext("csi.storage.k8s.io/pod.uid", UUID.randomUUID().toString()).build()));
            }
            case "unpublish-node" -> List.of(node.nodeUnpublishVolume(Csi.NodeUnpublishVolumeRequest.newBuilder()
                    .setVolumeId(a.get(0)).setTargetPath(a.get(1)).build()));
            case "stats" -> List.of(node.nodeGetVolumeStats(Csi.NodeGetVolumeStatsRequest.newBuilder()
                    .setVolumeId(a.get(0)).setVolumePath(a.get(1)).build()));
            case "expand-node" -> List.of(node.nodeExpandVolume(Csi.NodeExpandVolumeRequest.newBuilder()
                    .setVolumeId(a.get(0)).setVolumePath(a.get(1)).build()));
            default -> throw new IllegalArgumentException("unknown command " + cmd + "\n" + USAGE);
        };
    }

    static Message agentCommand(NodeAgentGrpc.NodeAgentBlockingStub s, List<String> a) {
        String cmd = a.remove(0);
        return switch (cmd) {
            case "replicas" -> s.listReplicas(ListReplicasRequest.newBuilder().setVolumeId(a.isEmpty() ? "" : a.get(0))
                    .build());
            case "create-replica" -> {
                String tier = option(a, "--tier", "default");
                yield s.createReplica(CreateReplicaRequest.newBuilder().setOperationId("cli-" + a.get(0))
                        .setReplicaId(a.get(0)).setVolumeId(a.get(1)).setSizeBytes(Long.parseLong(a.get(2))).setTier(tier)
                        .build());
            }
            case "delete-replica" -> s.deleteReplica(DeleteReplicaRequest.newBuilder().setOperationId("cli-del-" + a.get(0))
                    .setReplicaId(a.get(0)).build());
            case "add-replica" -> {
                String tier = option(a, "--tier", "");
                long bps = Long.parseLong(option(a, "--bps", "0"));
                yield s.addReplicaFromSource(dev.prescient.api.nodeagent.v1.AddReplicaFromSourceRequest.newBuilder()
                        .setOperationId(a.get(0)).setReplicaId(a.get(1)).setVolumeId(a.get(2)).setSourceAddress(a.get(3))
                        .setSourceReplicaId(a.get(4)).setTier(tier).setMaxBytesPerSecond(bps).build());
            }
            case "scrub" -> s.scrub(dev.prescient.api.nodeagent.v1.ScrubRequest.newBuilder().setOperationId(a.get(0))
                    .setReplicaId(a.get(1)).setPeerAddress(a.get(2)).setPeerReplicaId(a.get(3)).build());
            case "switch" -> {
                long pause = Long.parseLong(option(a, "--max-pause-ms", "2000"));
                yield s.switchOver(dev.prescient.api.nodeagent.v1.SwitchOverRequest.newBuilder().setOperationId(a.get(0))
                        .setVolumeId(a.get(1)).setNewReplicaId(a.get(2)).setMaxPauseMillis(pause).build());
            }
            case "operation" -> s.getOperation(dev.prescient.api.nodeagent.v1.GetOperationRequest.newBuilder()
                    .setOperationId(a.get(0)).build());
            case "cancel" -> s.cancelOperation(dev.prescient.api.nodeagent.v1.CancelOperationRequest.newBuilder()
                    .setOperationId(a.get(0)).build());
            case "health" -> s.getNodeHealth(NodeHealthRequest.getDefaultInstance());
            case "telemetry" -> s.getTelemetry(TelemetryRequest.newBuilder().setVolumeId(a.isEmpty() ? "" : a.get(0))
                    .build());
            default -> throw new IllegalArgumentException("unknown agent command " + cmd + "\n" + USAGE);
        };
    }
}
