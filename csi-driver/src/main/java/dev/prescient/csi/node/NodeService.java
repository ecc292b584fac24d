package dev.prescient.csi.node;

import dev.prescient.csi.Exec;
import dev.prescient.csi.PublishContext;
import csi.v1.Csi;
import csi.v1.NodeGrpc;
import dev.prescient.csi.CsiException;
import dev.prescient.csi.Ids;
import dev.prescient.csi.NbdProbe;
import dev.prescient.csi.Rpc;
import dev.prescient.csi.VolumeLocks;
import dev.prescient.csi.agent.NodeAgentService;
import dev.prescient.csi.controller.Capabilities;
import dev.prescient.csi.controller.Placement;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CSI Node service: stage = attach the NBD export as a block device (+ mkfs if blank + mount),
 * publish = bind mount into the pod, and the reverse, all idempotent and restart-safe (state in
 * {@link StagedVolumes}, truth read back from /proc/self/mountinfo and /sys/block).
 */
public final class NodeService extends NodeGrpc.NodeImplBase {
    private static final Logger LOG = LoggerFactory.getLogger(NodeService.class);
    public static final String POD_NAME = "csi.storage.k8s.io/pod.name";
    public static final String POD_NAMESPACE = "csi.storage.k8s.io/pod.namespace";
    public static final String POD_UID = "csi.storage.k8s.io/pod.uid";

    private final String nodeId;
    private final String zone;
    private final long maxVolumes;
    private final PathPolicy paths;
    private final Attacher attacher;
    private final StagedVolumes staged;
    private final NodeAgentService agent;
    private final VolumeLocks locks = new VolumeLocks();

    public NodeService(String nodeId, String zone, long maxVolumes, PathPolicy paths, Attacher attacher,
            StagedVolumes staged, NodeAgentService agent) {
        this.nodeId = nodeId;
        this.zone = zone;
        this.maxVolumes = maxVolumes;
        this.paths = paths;
        this.attacher = attacher;
        this.staged = staged;
        this.agent = agent;
    }

    private interface IoBody<T> {
        T get() throws IOException;
    }

    private static <T> void io(StreamObserver<T> out, IoBody<T> body) {
        Rpc.unary(out, () -> {
            try {
                return body.get();
            } catch (Exec.ExecException e) {
                throw new CsiException(Status.Code.INTERNAL, "HostCommandFailed", e.getMessage(), e);
            } catch (IOException e) {
                throw CsiException.internal("NodeIoError", e.getMessage(), e);
            }
        });
    }

    @Override
    public void nodeGetInfo(Csi.NodeGetInfoRequest request, StreamObserver<Csi.NodeGetInfoResponse> out) {
        Rpc.unary(out, () -> Csi.NodeGetInfoResponse.newBuilder().setNodeId(nodeId).setMaxVolumesPerNode(maxVolumes)
                .setAccessibleTopology(Csi.Topology.newBuilder().putSegments(Placement.ZONE_KEY, zone)
                        .putSegments(Placement.NODE_KEY, nodeId))
                .build());
    }

    @Override
    public void nodeGetCapabilities(Csi.NodeGetCapabilitiesRequest request,
            StreamObserver<Csi.NodeGetCapabilitiesResponse> out) {
        Rpc.unary(out, () -> {
            var b = Csi.NodeGetCapabilitiesResponse.newBuilder();
            for (var t : List.of(Csi.NodeServiceCapability.RPC.Type.STAGE_UNSTAGE_VOLUME,
                    Csi.NodeServiceCapability.RPC.Type.GET_VOLUME_STATS, Csi.NodeServiceCapability.RPC.Type.EXPAND_VOLUME,
                    Csi.NodeServiceCapability.RPC.Type.VOLUME_CONDITION,
                    Csi.NodeServiceCapability.RPC.Type.SINGLE_NODE_MULTI_WRITER)) {
                b.addCapabilities(Csi.NodeServiceCapability.newBuilder()
                        .setRpc(Csi.NodeServiceCapability.RPC.newBuilder().setType(t)));
            }
            return b.build();
        });
    }

    // ------------------------------------------------------------ stage

    @Override
    public void nodeStageVolume(Csi.NodeStageVolumeRequest req, StreamObserver<Csi.NodeStageVolumeResponse> out) {
        io(out, () -> {
            requireVolumeId(req.getVolumeId());
            Path staging = paths.check("staging_target_path", req.getStagingTargetPath());
            Capabilities.requireSupported(req.hasVolumeCapability(), req.getVolumeCapability());
            boolean block = req.getVolumeCapability().hasBlock();
            String fsType = block ? "" : req.getVolumeCapability().getMount().getFsType();
            if (!block && fsType.isEmpty()) {
                fsType = "ext4";
            }
            if (Files.exists(staging, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(staging)) {
                throw CsiException.invalid("staging_target_path " + staging + " is not a directory");
            }
            String givenUri = req.getPublishContextMap().getOrDefault(PublishContext.NBD_URI, "");
            if (!givenUri.isEmpty()) {
                // At once, before anything is attached: nbdfuse would open whatever libnbd accepts.
                NbdUri.requireSupported("publish_context " + PublishContext.NBD_URI, givenUri);
            }
            try (var held = locks.acquire(req.getVolumeId())) {
                Optional<StagedVolumes.Staged> prior = staged.get(req.getVolumeId());
                if (prior.isPresent()) {
                    StagedVolumes.Staged s = prior.get();
                    if (!samePath(s.stagingPath(), staging) || s.block() != block
                            || (!block && !s.fsType().equals(fsType))) {
                        throw new CsiException(Status.Code.ALREADY_EXISTS, "StagedDifferently",
                                "volume already staged at " + s.stagingPath() + " block=" + s.block() + " fs=" + s.fsType());
                    }
                    if (attacher.healthy(s.attachment()) && (block || Mounts.at(staging).isPresent())) {
                        return Csi.NodeStageVolumeResponse.getDefaultInstance();
                    }
                    // Left half-done by a crash: tear down what remains, then stage afresh.
                    teardownStaged(s);
                }
                String uri = givenUri;
                String publishedReplica = req.getPublishContextMap().getOrDefault(PublishContext.REPLICA_ID, "");
                if (!publishedReplica.isEmpty()) {
                    Ids.require("publish_context " + PublishContext.REPLICA_ID, publishedReplica, Ids.MAX_AGENT_LENGTH);
                    // The attachment's context is as old as the attachment: a move since may have switched the
                    // volume to another replica of this node and stopped the engine the context names.
                    uri = agent.currentExport(req.getVolumeId(), publishedReplica).orElse(uri);
                }
                if (uri.isEmpty()) {
                    uri = agent.localExport(req.getVolumeId()).orElseThrow(() -> CsiException.notFound(
                            "volume " + req.getVolumeId() + " has no replica on node " + nodeId
                                    + " and no " + PublishContext.NBD_URI + " in publish_context"));
                }
                uri = NbdUri.attachedBy(uri, nodeId);
                if (!block) {
                    requireTool("mkfs." + fsType);
                }
                Files.createDirectories(staging);
                Attacher.Attachment a = attacher.attach(req.getVolumeId(), uri);
                StagedVolumes.Staged s = new StagedVolumes.Staged(req.getVolumeId(), uri, staging.toString(), fsType, block, a);
                staged.put(s);
                try {
                    if (!block) {
                        formatIfBlankAndMount(a.device(), fsType, staging, req.getVolumeCapability().getMount().getMountFlagsList());
                    }
                } catch (IOException | RuntimeException e) {
                    // No partial stage left behind: undo the attach before reporting.
                    teardownStaged(s);
                    throw e;
                }
                LOG.info("volume {} staged at {} via {} ({})", req.getVolumeId(), staging, a.device(), a.method());
                return Csi.NodeStageVolumeResponse.getDefaultInstance();
            }
        });
    }

    private static void requireTool(String tool) {
        if (!Exec.onPath(tool)) {
            throw new CsiException(Status.Code.FAILED_PRECONDITION, "ToolMissing", tool + " is not installed on this node");
        }
    }

    private static void formatIfBlankAndMount(String dev, String fsType, Path target, List<String> flags)
            throws IOException {
        // blkid exits 2 when it finds no signature: only then is the device ours to format.
        Exec.Result probe = Exec.run(List.of("blkid", "-p", "-o", "value", "-s", "TYPE", dev), 60);
        String existing = probe.exit() == 0 ? probe.stdout().strip() : "";
        if (probe.exit() == 2 || (probe.exit() == 0 && existing.isEmpty())) {
            Exec.check(fsType.equals("xfs") ? List.of("mkfs.xfs", "-q", dev) : List.of("mkfs." + fsType, "-q", "-F", dev));
        } else if (probe.exit() != 0) {
            throw new CsiException(Status.Code.INTERNAL, "ProbeFailed", "blkid " + dev + ": " + probe.stderr());
        } else if (!existing.equals(fsType)) {
            throw new CsiException(Status.Code.FAILED_PRECONDITION, "FilesystemMismatch",
                    "device holds " + existing + ", " + fsType + " requested; not reformatting");
        } else if (fsType.equals("ext4") && ext4Bytes(dev) < deviceBytes(dev)) {
            // Offline growth before mounting: needs no resize ioctl (refused in some containers),
            // and resize2fs insists on a fresh fsck when the file system is not mounted.
            Exec.Result fsck = Exec.run(List.of("e2fsck", "-f", "-p", dev), 600);
            if (fsck.exit() > 1) {
                throw new CsiException(Status.Code.INTERNAL, "FsckFailed", "e2fsck " + dev + ": " + fsck.stdout() + fsck.stderr());
            }
            Exec.check(List.of("resize2fs", dev));
        }
        List<String> cmd = new ArrayList<>(List.of("mount", "-t", fsType));
        if (!flags.isEmpty()) {
            cmd.add("-o");
            cmd.add(String.join(",", flags));
        }
        cmd.add(dev);
        cmd.add(target.toString());
        Exec.check(cmd);
        if (fsType.equals("xfs") && !(probe.exit() == 2 || existing.isEmpty())) {
            // xfs grows only mounted; a no-op when the device did not grow.
            growFilesystem(dev, fsType, target);
        }
    }

    static long deviceBytes(String dev) throws IOException {
        return Long.parseLong(Exec.check(List.of("blockdev", "--getsize64", dev)).strip());
    }

    static long ext4Bytes(String dev) throws IOException {
        long count = 0;
        long size = 0;
        for (String line : Exec.check(List.of("dumpe2fs", "-h", dev)).split("\n")) {
            if (line.startsWith("Block count:")) {
                count = Long.parseLong(line.substring(line.indexOf(':') + 1).strip());
            } else if (line.startsWith("Block size:")) {
                size = Long.parseLong(line.substring(line.indexOf(':') + 1).strip());
            }
        }
        return count * size;
    }

    static void growFilesystem(String dev, String fsType, Path mountPoint) throws IOException {
        Exec.check(fsType.equals("xfs") ? List.of("xfs_growfs", mountPoint.toString()) : List.of("resize2fs", dev));
    }

    private void teardownStaged(StagedVolumes.Staged s) throws IOException {
        unmountAll(Path.of(s.stagingPath()));
        attacher.detach(s.attachment());
        staged.remove(s.volumeId());
    }

    @Override
    public void nodeUnstageVolume(Csi.NodeUnstageVolumeRequest req, StreamObserver<Csi.NodeUnstageVolumeResponse> out) {
        io(out, () -> {
            requireVolumeId(req.getVolumeId());
            Path staging = paths.check("staging_target_path", req.getStagingTargetPath());
            try (var held = locks.acquire(req.getVolumeId())) {
                Optional<StagedVolumes.Staged> s = staged.get(req.getVolumeId());
                if (s.isPresent()) {
                    if (!samePath(s.get().stagingPath(), staging)) {
                        throw CsiException.invalid("volume is staged at " + s.get().stagingPath() + ", not " + staging);
                    }
                    for (Mounts.Mount m : Mounts.ofSource(s.get().attachment().device())) {
                        if (!m.mountPoint().equals(staging.toString())) {
                            throw new CsiException(Status.Code.FAILED_PRECONDITION, "StillPublished",
                                    "volume still mounted at " + m.mountPoint());
                        }
                    }
                    teardownStaged(s.get());
                } else {
                    unmountAll(staging);
                }
                return Csi.NodeUnstageVolumeResponse.getDefaultInstance();
            }
        });
    }

    // ------------------------------------------------------------ publish

    @Override
    public void nodePublishVolume(Csi.NodePublishVolumeRequest req, StreamObserver<Csi.NodePublishVolumeResponse> out) {
        io(out, () -> {
            requireVolumeId(req.getVolumeId());
            Path staging = paths.check("staging_target_path", req.getStagingTargetPath());
            Path target = paths.check("target_path", req.getTargetPath());
            Capabilities.requireSupported(req.hasVolumeCapability(), req.getVolumeCapability());
            boolean block = req.getVolumeCapability().hasBlock();
            try (var held = locks.acquire(req.getVolumeId())) {
                StagedVolumes.Staged s = staged.get(req.getVolumeId()).orElseThrow(() -> new CsiException(
                        Status.Code.FAILED_PRECONDITION, "NotStaged", "volume " + req.getVolumeId() + " is not staged"));
                if (!samePath(s.stagingPath(), staging)) {
                    throw new CsiException(Status.Code.FAILED_PRECONDITION, "NotStaged",
                            "volume is staged at " + s.stagingPath() + ", not " + staging);
                }
                if (s.block() != block) {
                    throw CsiException.invalid("volume staged as " + (s.block() ? "block" : "mount")
                            + " cannot be published as " + (block ? "block" : "mount"));
                }
                Optional<Mounts.Mount> existing = Mounts.at(target);
                if (existing.isPresent()) {
                    if (existing.get().readOnly() != req.getReadonly()) {
                        throw new CsiException(Status.Code.ALREADY_EXISTS, "PublishedDifferently",
                                "target already published with readonly=" + existing.get().readOnly());
                    }
                    return Csi.NodePublishVolumeResponse.getDefaultInstance();
                }
                if (!Capabilities.manyTargets(req.getVolumeCapability())) {
                    // The spec's second NodePublishVolume table: only SINGLE_NODE_MULTI_WRITER (and
                    // MULTI_NODE_*, which we refuse) may be published at a second target path.
                    List<String> others = otherTargets(s, staging, target);
                    if (!others.isEmpty()) {
                        throw new CsiException(Status.Code.FAILED_PRECONDITION, "PublishedElsewhere",
                                req.getVolumeCapability().getAccessMode().getMode() + " volume already published at "
                                        + others);
                    }
                }
                String source;
                if (block) {
                    if (Files.isDirectory(target)) {
                        throw CsiException.invalid("target_path " + target + " is a directory; block needs a file");
                    }
                    Files.createDirectories(target.getParent());
                    if (!Files.exists(target)) {
                        Files.createFile(target);
                    }
                    source = s.attachment().device();
                } else {
                    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(target)) {
                        throw CsiException.invalid("target_path " + target + " is a file; mount needs a directory");
                    }
                    Files.createDirectories(target);
                    source = staging.toString();
                }
                Exec.check(List.of("mount", "--bind", source, target.toString()));
                if (req.getReadonly()) {
                    try {
                        Exec.check(List.of("mount", "-o", "remount,bind,ro", target.toString()));
                    } catch (IOException e) {
                        Exec.run(List.of("umount", target.toString()), 30);
                        throw e;
                    }
                }
                consumer(req.getVolumeContextMap()).ifPresent(c -> agent.recordConsumer(req.getVolumeId(), c));
                return Csi.NodePublishVolumeResponse.getDefaultInstance();
            }
        });
    }

    /**
     * Mount points other than {@code staging} and {@code target} that expose the staged device; both
     * paths resolved, as mountinfo shows them.
     */
    static List<String> otherTargets(StagedVolumes.Staged s, Path staging, Path target) throws IOException {
        String dev = s.attachment().device();
        String devName = "/" + Path.of(dev).getFileName();
        List<String> out = new ArrayList<>();
        for (Mounts.Mount m : Mounts.all()) {
            // A file system bind shows the device as its source; a block bind shows the device
            // node as its root inside devtmpfs.
            boolean ours = m.source().equals(dev) || (s.block() && m.root().equals(devName)
                    && (m.fsType().equals("devtmpfs") || m.fsType().equals("tmpfs")));
            if (ours && !m.mountPoint().equals(staging.toString()) && !m.mountPoint().equals(target.toString())) {
                out.add(m.mountPoint());
            }
        }
        return out;
    }

    /** podInfoOnMount identity as the engine's consumer key: namespace/name/uid. */
    static Optional<String> consumer(java.util.Map<String, String> ctx) {
        String name = ctx.getOrDefault(POD_NAME, "");
        if (name.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(ctx.getOrDefault(POD_NAMESPACE, "") + "/" + name + "/" + ctx.getOrDefault(POD_UID, ""));
    }

    @Override
    public void nodeUnpublishVolume(Csi.NodeUnpublishVolumeRequest req,
            StreamObserver<Csi.NodeUnpublishVolumeResponse> out) {
        io(out, () -> {
            requireVolumeId(req.getVolumeId());
            Path target = paths.check("target_path", req.getTargetPath());
            try (var held = locks.acquire(req.getVolumeId())) {
                unmountAll(target);
                if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                    Files.deleteIfExists(target);
                } else if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
                    Files.delete(target);
                }
                return Csi.NodeUnpublishVolumeResponse.getDefaultInstance();
            }
        });
    }

    // ------------------------------------------------------------ stats, expand

    @Override
    public void nodeGetVolumeStats(Csi.NodeGetVolumeStatsRequest req, StreamObserver<Csi.NodeGetVolumeStatsResponse> out) {
        io(out, () -> {
            requireVolumeId(req.getVolumeId());
            if (req.getVolumePath().isEmpty()) {
                throw CsiException.invalid("volume_path is required");
            }
            Path p = Path.of(req.getVolumePath());
            if (!Files.exists(p)) {
                throw CsiException.notFound("volume_path " + p + " does not exist");
            }
            StagedVolumes.Staged s = staged.get(req.getVolumeId())
                    .orElseThrow(() -> CsiException.notFound("volume " + req.getVolumeId() + " is not staged here"));
            Csi.VolumeCondition condition = condition(s);
            if (s.block()) {
                var b = Csi.NodeGetVolumeStatsResponse.newBuilder().setVolumeCondition(condition);
                Exec.Result size = Exec.run(List.of("blockdev", "--getsize64", s.attachment().device()), 30);
                if (size.exit() == 0) {
                    b.addUsage(Csi.VolumeUsage.newBuilder().setUnit(Csi.VolumeUsage.Unit.BYTES)
                            .setTotal(Long.parseLong(size.stdout().strip())));
                }
                return b.build();
            }
            // stat -f: total/free blocks with block size, total/free inodes.
            String[] f = Exec.check(List.of("stat", "-f", "-c", "%S %b %f %a %c %d", p.toString())).strip().split(" ");
            long bs = Long.parseLong(f[0]);
            long total = Long.parseLong(f[1]) * bs;
            long free = Long.parseLong(f[2]) * bs;
            long avail = Long.parseLong(f[3]) * bs;
            long inodes = Long.parseLong(f[4]);
            long ifree = Long.parseLong(f[5]);
            return Csi.NodeGetVolumeStatsResponse.newBuilder().setVolumeCondition(condition)
                    .addUsage(Csi.VolumeUsage.newBuilder().setUnit(Csi.VolumeUsage.Unit.BYTES).setTotal(total)
                            .setAvailable(avail).setUsed(total - free))
                    .addUsage(Csi.VolumeUsage.newBuilder().setUnit(Csi.VolumeUsage.Unit.INODES).setTotal(inodes)
                            .setAvailable(ifree).setUsed(inodes - ifree))
                    .build();
        });
    }

    /** Observes the staged volume on the host: helper, engine export, a direct read, the staging mount. */
    private Csi.VolumeCondition condition(StagedVolumes.Staged s) throws IOException {
        boolean attached = attacher.healthy(s.attachment());
        Optional<String> export = NbdProbe.probe(s.nbdUri(), 2000);
        // Through nbdfuse, read its file, not the loop device: the loop device reads through the
        // page cache of that file, which can answer without asking the export at all.
        String readPath = s.attachment().method().equals("nbdfuse") && s.attachment().fuseDir() != null
                ? s.attachment().fuseDir().resolve("nbd").toString() : s.attachment().device();
        Optional<String> read = attached && export.isEmpty() ? DeviceRead.firstBlock(readPath, 5000) : Optional.empty();
        Optional<Boolean> mount = s.block() ? Optional.empty()
                : Mounts.at(Path.of(s.stagingPath())).map(Mounts.Mount::readOnly);
        return NodeVolumeCondition.of(new NodeVolumeCondition.Observed(attached, export, read, s.block(), mount));
    }

    @Override
    public void nodeExpandVolume(Csi.NodeExpandVolumeRequest req, StreamObserver<Csi.NodeExpandVolumeResponse> out) {
        io(out, () -> {
            requireVolumeId(req.getVolumeId());
            if (req.getVolumePath().isEmpty()) {
                throw CsiException.invalid("volume_path is required");
            }
            try (var held = locks.acquire(req.getVolumeId())) {
                StagedVolumes.Staged s = staged.get(req.getVolumeId())
                        .orElseThrow(() -> CsiException.notFound("volume " + req.getVolumeId() + " is not staged here"));
                String dev = s.attachment().device();
                // The loop device re-reads its backing file's size; nbdfuse reports the size it
                // learned at connect time, so growth shows after a re-stage (hence OFFLINE expansion).
                if (s.attachment().method().equals("nbdfuse")) {
                    Exec.run(List.of("losetup", "-c", dev), 30);
                }
                if (!s.block()) {
                    growFilesystem(dev, s.fsType(), Path.of(s.stagingPath()));
                }
                long size = Long.parseLong(Exec.check(List.of("blockdev", "--getsize64", dev)).strip());
                return Csi.NodeExpandVolumeResponse.newBuilder().setCapacityBytes(size).build();
            }
        });
    }

    /** After a restart: re-attach and re-mount staged volumes whose helpers died with the old process. */
    public void recover() throws IOException {
        for (StagedVolumes.Staged s : staged.all()) {
            Optional<String> broken = attacher.whyUnhealthy(s.attachment());
            if (broken.isEmpty() && !s.block() && Mounts.at(Path.of(s.stagingPath())).isEmpty()) {
                broken = Optional.of("no mount at " + s.stagingPath());
            }
            if (broken.isEmpty()) {
                LOG.info("volume {} still staged at {}", s.volumeId(), s.stagingPath());
                continue;
            }
            LOG.warn("volume {} lost its attachment ({}); re-staging", s.volumeId(), broken.get());
            teardownStaged(s);
            Attacher.Attachment a = attacher.attach(s.volumeId(), s.nbdUri());
            staged.put(new StagedVolumes.Staged(s.volumeId(), s.nbdUri(), s.stagingPath(), s.fsType(), s.block(), a));
            if (!s.block()) {
                Exec.check(List.of("mount", "-t", s.fsType(), a.device(), s.stagingPath()));
            }
        }
    }

    private static void requireVolumeId(String id) {
        // Before any path: the id names files under the state directory (StagedVolumes, Attacher).
        Ids.require("volume_id", id);
    }

    /**
     * Whether a recorded path and a resolved one are the same place. Records written before paths
     * were resolved hold the path as kubelet sent it, so the recorded one is resolved too.
     */
    static boolean samePath(String recorded, Path resolved) {
        return RealPaths.resolveOrNormalize(Path.of(recorded)).equals(resolved);
    }

    /** Unmounts every mount stacked at {@code path}, by the mount point mountinfo names. */
    private static void unmountAll(Path path) throws IOException {
        for (Optional<Mounts.Mount> m = Mounts.at(path); m.isPresent(); m = Mounts.at(path)) {
            Exec.check(List.of("umount", m.get().mountPoint()));
        }
    }
}
