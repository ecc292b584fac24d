package dev.prescient.csi.cli;

import com.google.protobuf.Message;
import com.google.protobuf.TextFormat;
import csi.v1.ControllerGrpc;
import csi.v1.Csi;
import csi.v1.IdentityGrpc;
import csi.v1.NodeGrpc;
import dev.prescient.api.nodeagent.v1.AddReplicaFromSourceRequest;
import dev.prescient.api.nodeagent.v1.CancelOperationRequest;
import dev.prescient.api.nodeagent.v1.CreateReplicaRequest;
import dev.prescient.api.nodeagent.v1.DeleteReplicaRequest;
import dev.prescient.api.nodeagent.v1.GetOperationRequest;
import dev.prescient.api.nodeagent.v1.ListReplicasRequest;
import dev.prescient.api.nodeagent.v1.NodeAgentGrpc;
import dev.prescient.api.nodeagent.v1.NodeHealthRequest;
import dev.prescient.api.nodeagent.v1.ScrubRequest;
import dev.prescient.api.nodeagent.v1.SwitchOverRequest;
import dev.prescient.api.nodeagent.v1.TelemetryRequest;
import dev.prescient.csi.agent.AgentTls;
import dev.prescient.csi.controller.ControllerService;
import dev.prescient.csi.server.UnixSocketServers;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * Drives the driver by hand, like kubelet and the sidecars would; a picocli command with one
 * subcommand per call ({@code csi-cli --help}, {@code csi-cli create --help}). CSI commands talk
 * to {@code --endpoint unix:///path} (or {@code CSI_ENDPOINT}); agent commands to
 * {@code --agent host:port} (with {@code --tls-cert/--tls-key/--tls-ca}, or {@code --insecure}
 * for a local plaintext agent). Prints responses in protobuf text format; exits 1 with the gRPC
 * status when the call fails, 2 on a usage error.
 */
@Command(name = "csi-cli", sortOptions = false, usageHelpAutoWidth = true,
        description = "Calls the Prescient CSI driver (identity, controller, node) or a node agent by hand.",
        subcommandsRepeatable = false)
public final class CsiCli implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, scope = ScopeType.INHERIT, description = "show this help and exit")
    boolean help;

    @Option(names = "--endpoint", paramLabel = "unix:///PATH", scope = ScopeType.INHERIT,
            description = "CSI socket for CSI commands (default: $CSI_ENDPOINT)")
    String endpoint = System.getenv().getOrDefault("CSI_ENDPOINT", "");

    @Option(names = "--agent", paramLabel = "HOST:PORT", scope = ScopeType.INHERIT, description = "node agent for agent commands")
    String agent = "";

    @Option(names = "--insecure", scope = ScopeType.INHERIT, description = "plaintext agent (tests, local mode)")
    boolean insecure;

    @Option(names = "--tls-cert", paramLabel = "PEM", scope = ScopeType.INHERIT, description = "client certificate for the agent")
    String cert = "";

    @Option(names = "--tls-key", paramLabel = "PEM", scope = ScopeType.INHERIT, description = "client key (PKCS#8)")
    String key = "";

    @Option(names = "--tls-ca", paramLabel = "PEM", scope = ScopeType.INHERIT, description = "CA of the agent's certificate")
    String ca = "";

    /** No subcommand: what there is to call. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return 2;
    }

    public static void main(String[] argv) {
        System.exit(run(argv, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs one command line; the exit status: 0 done, 1 the call failed (gRPC status printed), 2 usage error. */
    public static int run(String[] argv, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new CsiCli()).setOut(out).setErr(err).setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof StatusRuntimeException s) {
                cmd.getErr().println(s.getStatus().getCode() + ": " + s.getStatus().getDescription());
                return 1;
            }
            if (e instanceof IllegalArgumentException) {
                cmd.getErr().println("csi-cli: " + e.getMessage());
                return 2;
            }
            throw e;
        });
        int status = cl.execute(argv);
        out.flush();
        err.flush();
        return status;
    }

    // ------------------------------------------------------------ plumbing

    /** The volume capability options of create, publish, validate, stage and publish-node. */
    static final class CapabilityOptions {
        @Option(names = "--block", description = "a raw block volume (default: a file system)")
        boolean block;
        @Option(names = "--fs", paramLabel = "ext4|xfs", description = "file system type (default: the driver's, ext4)")
        String fs = "";
        @Option(names = "--access", paramLabel = "MODE", description = "access mode (default SINGLE_NODE_WRITER;"
                + " also SINGLE_NODE_SINGLE_WRITER, SINGLE_NODE_MULTI_WRITER, SINGLE_NODE_READER_ONLY, MULTI_NODE_*)")
        Csi.VolumeCapability.AccessMode.Mode access = Csi.VolumeCapability.AccessMode.Mode.SINGLE_NODE_WRITER;

        Csi.VolumeCapability capability() {
            var b = Csi.VolumeCapability.newBuilder()
                    .setAccessMode(Csi.VolumeCapability.AccessMode.newBuilder().setMode(access));
            if (block) {
                b.setBlock(Csi.VolumeCapability.BlockVolume.getDefaultInstance());
            } else {
                b.setMount(Csi.VolumeCapability.MountVolume.newBuilder().setFsType(fs));
            }
            return b.build();
        }
    }

    private void print(Message m) {
        spec.commandLine().getOut().println(TextFormat.printer().printToString(m).strip());
    }

    /** Calls over the CSI socket and prints every response. */
    private int csi(Function<ManagedChannel, List<? extends Message>> call) {
        if (endpoint.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--endpoint (or CSI_ENDPOINT) is required");
        }
        ManagedChannel ch = UnixSocketServers.channel(UnixSocketServers.socketPath(endpoint));
        try {
            call.apply(ch).forEach(this::print);
            return 0;
        } finally {
            ch.shutdownNow();
        }
    }

    /** Calls the node agent and prints the response. */
    private int agent(Function<NodeAgentGrpc.NodeAgentBlockingStub, Message> call) {
        if (agent.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--agent HOST:PORT is required for agent commands");
        }
        if (!insecure && (cert.isEmpty() || key.isEmpty() || ca.isEmpty())) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "the agent needs --tls-cert, --tls-key and --tls-ca (or --insecure for a plaintext agent)");
        }
        AgentTls tls = insecure ? AgentTls.insecurePlaintext() : new AgentTls(Path.of(cert), Path.of(key), Path.of(ca), false);
        ManagedChannel ch;
        try {
            ch = tls.channel(agent);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("cannot use --tls-cert/--tls-key/--tls-ca: " + e.getMessage(), e);
        }
        try {
            print(call.apply(NodeAgentGrpc.newBlockingStub(ch)));
            return 0;
        } finally {
            ch.shutdownNow();
        }
    }

    private static Csi.Topology zone(String zone) {
        return Csi.Topology.newBuilder().putSegments("topology.kubernetes.io/zone", zone).build();
    }

    // ------------------------------------------------------------ node state (files, no RPC)

    @Command(name = "state", description = "this node's state from its files: replicas, run records (pid, ports,"
            + " front-end, read source, hand-off, members...) and staged volumes, by volume; reads only")
    int state(@Option(names = "--state-dir", paramLabel = "DIR", defaultValue = "/var/lib/prescient",
                      description = "the node's --state-dir (default ${DEFAULT-VALUE})") Path stateDir,
              @Option(names = "--tier", paramLabel = "NAME=DIR", description = "a tier directory, as given to the"
                      + " node (repeatable; default: every directory under <state-dir>/tiers)")
              java.util.Map<String, Path> tiers,
              @Option(names = "--json", description = "JSON instead of a table") boolean json) throws java.io.IOException {
        if (!java.nio.file.Files.isDirectory(stateDir)) {
            throw new IllegalArgumentException("no state directory " + stateDir);
        }
        NodeStateReport.Report r = NodeStateReport.read(stateDir, tiers == null ? java.util.Map.of() : tiers);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            NodeStateReport.printJson(r, out);
        } else {
            NodeStateReport.printTable(r, out);
        }
        out.flush();
        return 0;
    }

    // ------------------------------------------------------------ identity, controller

    @Command(name = "info", description = "identity: plugin info, capabilities, probe")
    int info() {
        return csi(ch -> {
            var id = IdentityGrpc.newBlockingStub(ch);
            return List.of(id.getPluginInfo(Csi.GetPluginInfoRequest.getDefaultInstance()),
                    id.getPluginCapabilities(Csi.GetPluginCapabilitiesRequest.getDefaultInstance()),
                    id.probe(Csi.ProbeRequest.getDefaultInstance()));
        });
    }

    @Command(name = "create", description = "CreateVolume")
    int create(@Parameters(paramLabel = "NAME") String name, @Parameters(paramLabel = "SIZE_BYTES") long size,
            @Mixin CapabilityOptions cap,
            @Option(names = "--param", paramLabel = "KEY=VALUE", description = "a StorageClass parameter (repeatable)")
            Map<String, String> params,
            @Option(names = "--zone", paramLabel = "ZONE", description = "requisite topology zone") String zone) {
        var b = Csi.CreateVolumeRequest.newBuilder().setName(name).addVolumeCapabilities(cap.capability())
                .setCapacityRange(Csi.CapacityRange.newBuilder().setRequiredBytes(size))
                .putAllParameters(params == null ? Map.of() : new LinkedHashMap<>(params));
        if (zone != null) {
            b.setAccessibilityRequirements(Csi.TopologyRequirement.newBuilder().addRequisite(zone(zone)));
        }
        return csi(ch -> List.of(ControllerGrpc.newBlockingStub(ch).createVolume(b.build())));
    }

    @Command(name = "delete", description = "DeleteVolume")
    int delete(@Parameters(paramLabel = "VOLUME_ID") String volumeId) {
        return csi(ch -> List.of(ControllerGrpc.newBlockingStub(ch).deleteVolume(
                Csi.DeleteVolumeRequest.newBuilder().setVolumeId(volumeId).build())));
    }

    @Command(name = "get", description = "ControllerGetVolume: published nodes, volume condition")
    int get(@Parameters(paramLabel = "VOLUME_ID") String volumeId) {
        return csi(ch -> List.of(ControllerGrpc.newBlockingStub(ch).controllerGetVolume(
                Csi.ControllerGetVolumeRequest.newBuilder().setVolumeId(volumeId).build())));
    }

    @Command(name = "list", description = "ListVolumes")
    int list(@Option(names = "--max", paramLabel = "N", defaultValue = "0") int max,
            @Option(names = "--token", paramLabel = "T", defaultValue = "") String token) {
        return csi(ch -> List.of(ControllerGrpc.newBlockingStub(ch).listVolumes(
                Csi.ListVolumesRequest.newBuilder().setMaxEntries(max).setStartingToken(token).build())));
    }

    @Command(name = "publish", description = "ControllerPublishVolume")
    int publish(@Parameters(paramLabel = "VOLUME_ID") String volumeId, @Parameters(paramLabel = "NODE_ID") String nodeId,
            @Option(names = "--ro", description = "read-only") boolean ro, @Mixin CapabilityOptions cap) {
        return csi(ch -> List.of(ControllerGrpc.newBlockingStub(ch).controllerPublishVolume(
                Csi.ControllerPublishVolumeRequest.newBuilder().setVolumeId(volumeId).setNodeId(nodeId)
                        .setVolumeCapability(cap.capability()).setReadonly(ro).build())));
    }

    @Command(name = "unpublish", description = "ControllerUnpublishVolume")
    int unpublish(@Parameters(paramLabel = "VOLUME_ID") String volumeId, @Parameters(paramLabel = "NODE_ID") String nodeId) {
        return csi(ch -> List.of(ControllerGrpc.newBlockingStub(ch).controllerUnpublishVolume(
                Csi.ControllerUnpublishVolumeRequest.newBuilder().setVolumeId(volumeId).setNodeId(nodeId).build())));
    }

    @Command(name = "expand", description = "ControllerExpandVolume")
    int expand(@Parameters(paramLabel = "VOLUME_ID") String volumeId, @Parameters(paramLabel = "SIZE_BYTES") long size) {
        return csi(ch -> List.of(ControllerGrpc.newBlockingStub(ch).controllerExpandVolume(
                Csi.ControllerExpandVolumeRequest.newBuilder().setVolumeId(volumeId)
                        .setCapacityRange(Csi.CapacityRange.newBuilder().setRequiredBytes(size)).build())));
    }

    @Command(name = "capacity", description = "GetCapacity")
    int capacity(@Option(names = "--tier", paramLabel = "T") String tier, @Option(names = "--zone", paramLabel = "ZONE") String zone) {
        var b = Csi.GetCapacityRequest.newBuilder();
        if (tier != null) {
            b.putParameters(ControllerService.PARAM_TIER, tier);
        }
        if (zone != null) {
            b.setAccessibleTopology(zone(zone));
        }
        return csi(ch -> List.of(ControllerGrpc.newBlockingStub(ch).getCapacity(b.build())));
    }

    @Command(name = "snapshot", description = "CreateSnapshot")
    int snapshot(@Parameters(paramLabel = "NAME") String name, @Parameters(paramLabel = "VOLUME_ID") String volumeId) {
        return csi(ch -> List.of(ControllerGrpc.newBlockingStub(ch).createSnapshot(
                Csi.CreateSnapshotRequest.newBuilder().setName(name).setSourceVolumeId(volumeId).build())));
    }

    @Command(name = "snapshots", description = "ListSnapshots")
    int snapshots() {
        return csi(ch -> List.of(ControllerGrpc.newBlockingStub(ch).listSnapshots(
                Csi.ListSnapshotsRequest.getDefaultInstance())));
    }

    @Command(name = "delete-snapshot", description = "DeleteSnapshot")
    int deleteSnapshot(@Parameters(paramLabel = "SNAPSHOT_ID") String snapshotId) {
        return csi(ch -> List.of(ControllerGrpc.newBlockingStub(ch).deleteSnapshot(
                Csi.DeleteSnapshotRequest.newBuilder().setSnapshotId(snapshotId).build())));
    }

    @Command(name = "validate", description = "ValidateVolumeCapabilities")
    int validate(@Parameters(paramLabel = "VOLUME_ID") String volumeId, @Mixin CapabilityOptions cap) {
        return csi(ch -> List.of(ControllerGrpc.newBlockingStub(ch).validateVolumeCapabilities(
                Csi.ValidateVolumeCapabilitiesRequest.newBuilder().setVolumeId(volumeId)
                        .addVolumeCapabilities(cap.capability()).build())));
    }

    // ------------------------------------------------------------ node

    @Command(name = "node-info", description = "NodeGetInfo, NodeGetCapabilities")
    int nodeInfo() {
        return csi(ch -> List.of(NodeGrpc.newBlockingStub(ch).nodeGetInfo(Csi.NodeGetInfoRequest.getDefaultInstance()),
                NodeGrpc.newBlockingStub(ch).nodeGetCapabilities(Csi.NodeGetCapabilitiesRequest.getDefaultInstance())));
    }

    @Command(name = "stage", description = "NodeStageVolume")
    int stage(@Parameters(paramLabel = "VOLUME_ID") String volumeId, @Parameters(paramLabel = "STAGING_PATH") String staging,
            @Mixin CapabilityOptions cap,
            @Option(names = "--nbd-uri", paramLabel = "URI", description = "publish_context " + ControllerService.CTX_NBD_URI)
            String uri) {
        var b = Csi.NodeStageVolumeRequest.newBuilder().setVolumeId(volumeId).setStagingTargetPath(staging)
                .setVolumeCapability(cap.capability());
        if (uri != null) {
            b.putPublishContext(ControllerService.CTX_NBD_URI, uri);
        }
        return csi(ch -> List.of(NodeGrpc.newBlockingStub(ch).nodeStageVolume(b.build())));
    }

    @Command(name = "unstage", description = "NodeUnstageVolume")
    int unstage(@Parameters(paramLabel = "VOLUME_ID") String volumeId, @Parameters(paramLabel = "STAGING_PATH") String staging) {
        return csi(ch -> List.of(NodeGrpc.newBlockingStub(ch).nodeUnstageVolume(
                Csi.NodeUnstageVolumeRequest.newBuilder().setVolumeId(volumeId).setStagingTargetPath(staging).build())));
    }

    @Command(name = "publish-node", description = "NodePublishVolume (as pod manual/csi-cli)")
    int publishNode(@Parameters(paramLabel = "VOLUME_ID") String volumeId,
            @Parameters(paramLabel = "STAGING_PATH") String staging, @Parameters(paramLabel = "TARGET_PATH") String target,
            @Option(names = "--ro", description = "read-only") boolean ro, @Mixin CapabilityOptions cap) {
        return csi(ch -> List.of(NodeGrpc.newBlockingStub(ch).nodePublishVolume(Csi.NodePublishVolumeRequest.newBuilder()
                .setVolumeId(volumeId).setStagingTargetPath(staging).setTargetPath(target)
                .setVolumeCapability(cap.capability()).setReadonly(ro)
                .putVolumeContext("csi.storage.k8s.io/pod.name", "csi-cli")
                .putVolumeContext("csi.storage.k8s.io/pod.namespace", "manual")
                .putVolumeContext("csi.storage.k8s.io/pod.uid", UUID.randomUUID().toString()).build())));
    }

    @Command(name = "unpublish-node", description = "NodeUnpublishVolume")
    int unpublishNode(@Parameters(paramLabel = "VOLUME_ID") String volumeId, @Parameters(paramLabel = "TARGET_PATH") String target) {
        return csi(ch -> List.of(NodeGrpc.newBlockingStub(ch).nodeUnpublishVolume(
                Csi.NodeUnpublishVolumeRequest.newBuilder().setVolumeId(volumeId).setTargetPath(target).build())));
    }

    @Command(name = "stats", description = "NodeGetVolumeStats: usage, volume condition")
    int stats(@Parameters(paramLabel = "VOLUME_ID") String volumeId, @Parameters(paramLabel = "PATH") String path) {
        return csi(ch -> List.of(NodeGrpc.newBlockingStub(ch).nodeGetVolumeStats(
                Csi.NodeGetVolumeStatsRequest.newBuilder().setVolumeId(volumeId).setVolumePath(path).build())));
    }

    @Command(name = "expand-node", description = "NodeExpandVolume")
    int expandNode(@Parameters(paramLabel = "VOLUME_ID") String volumeId, @Parameters(paramLabel = "PATH") String path) {
        return csi(ch -> List.of(NodeGrpc.newBlockingStub(ch).nodeExpandVolume(
                Csi.NodeExpandVolumeRequest.newBuilder().setVolumeId(volumeId).setVolumePath(path).build())));
    }

    // ------------------------------------------------------------ node agent

    @Command(name = "replicas", description = "agent: ListReplicas")
    int replicas(@Parameters(paramLabel = "VOLUME_ID", arity = "0..1", defaultValue = "") String volumeId) {
        return agent(s -> s.listReplicas(ListReplicasRequest.newBuilder().setVolumeId(volumeId).build()));
    }

    @Command(name = "create-replica", description = "agent: CreateReplica")
    int createReplica(@Parameters(paramLabel = "REPLICA_ID") String replicaId, @Parameters(paramLabel = "VOLUME_ID") String volumeId,
            @Parameters(paramLabel = "SIZE_BYTES") long size,
            @Option(names = "--tier", paramLabel = "T", defaultValue = "default") String tier) {
        return agent(s -> s.createReplica(CreateReplicaRequest.newBuilder().setOperationId("cli-" + replicaId)
                .setReplicaId(replicaId).setVolumeId(volumeId).setSizeBytes(size).setTier(tier).build()));
    }

    @Command(name = "delete-replica", description = "agent: DeleteReplica")
    int deleteReplica(@Parameters(paramLabel = "REPLICA_ID") String replicaId) {
        return agent(s -> s.deleteReplica(DeleteReplicaRequest.newBuilder().setOperationId("cli-del-" + replicaId)
                .setReplicaId(replicaId).build()));
    }

    @Command(name = "add-replica", description = "agent: AddReplicaFromSource (copy, then delta)")
    int addReplica(@Parameters(paramLabel = "OP_ID") String op, @Parameters(paramLabel = "REPLICA_ID") String replicaId,
            @Parameters(paramLabel = "VOLUME_ID") String volumeId, @Parameters(paramLabel = "SOURCE_AGENT") String source,
            @Parameters(paramLabel = "SOURCE_REPLICA_ID") String sourceReplica,
            @Option(names = "--tier", paramLabel = "T", defaultValue = "") String tier,
            @Option(names = "--bps", paramLabel = "N", defaultValue = "0", description = "bytes per second (0: unlimited)") long bps) {
        return agent(s -> s.addReplicaFromSource(AddReplicaFromSourceRequest.newBuilder().setOperationId(op)
                .setReplicaId(replicaId).setVolumeId(volumeId).setSourceAddress(source).setSourceReplicaId(sourceReplica)
                .setTier(tier).setMaxBytesPerSecond(bps).build()));
    }

    @Command(name = "scrub", description = "agent: Scrub against a peer replica")
    int scrub(@Parameters(paramLabel = "OP_ID") String op, @Parameters(paramLabel = "REPLICA_ID") String replicaId,
            @Parameters(paramLabel = "PEER_AGENT") String peer, @Parameters(paramLabel = "PEER_REPLICA_ID") String peerReplica) {
        return agent(s -> s.scrub(ScrubRequest.newBuilder().setOperationId(op).setReplicaId(replicaId)
                .setPeerAddress(peer).setPeerReplicaId(peerReplica).build()));
    }

    @Command(name = "switch", description = "agent: SwitchOver to a new replica")
    int switchOver(@Parameters(paramLabel = "OP_ID") String op, @Parameters(paramLabel = "VOLUME_ID") String volumeId,
            @Parameters(paramLabel = "NEW_REPLICA_ID") String newReplica,
            @Option(names = "--max-pause-ms", paramLabel = "N", defaultValue = "2000") long pause) {
        return agent(s -> s.switchOver(SwitchOverRequest.newBuilder().setOperationId(op).setVolumeId(volumeId)
                .setNewReplicaId(newReplica).setMaxPauseMillis(pause).build()));
    }

    @Command(name = "operation", description = "agent: GetOperation (progress)")
    int operation(@Parameters(paramLabel = "OP_ID") String op) {
        return agent(s -> s.getOperation(GetOperationRequest.newBuilder().setOperationId(op).build()));
    }

    @Command(name = "cancel", description = "agent: CancelOperation")
    int cancel(@Parameters(paramLabel = "OP_ID") String op) {
        return agent(s -> s.cancelOperation(CancelOperationRequest.newBuilder().setOperationId(op).build()));
    }

    @Command(name = "health", description = "agent: GetNodeHealth")
    int health() {
        return agent(s -> s.getNodeHealth(NodeHealthRequest.getDefaultInstance()));
    }

    @Command(name = "telemetry", description = "agent: GetTelemetry (extent heat, consumers)")
    int telemetry(@Parameters(paramLabel = "VOLUME_ID", arity = "0..1", defaultValue = "") String volumeId) {
        return agent(s -> s.getTelemetry(TelemetryRequest.newBuilder().setVolumeId(volumeId).build()));
    }
}
