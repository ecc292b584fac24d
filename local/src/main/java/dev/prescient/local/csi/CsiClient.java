package dev.prescient.local.csi;

import csi.v1.ControllerGrpc;
import csi.v1.Csi;
import csi.v1.IdentityGrpc;
import csi.v1.NodeGrpc;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Talks CSI over a UNIX socket the way csi-provisioner, csi-attacher and kubelet do: CreateVolume with the
 * StorageClass parameters, ControllerPublishVolume to a node, NodeStageVolume with the publish context.
 */
public final class CsiClient implements AutoCloseable {
    private final EpollEventLoopGroup group = new EpollEventLoopGroup(1);
    private final ManagedChannel channel;

    public CsiClient(Path socket) {
        channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .eventLoopGroup(group).channelType(EpollDomainSocketChannel.class)
                .overrideAuthority("localhost").usePlaintext().build();
    }

    public boolean ready() {
        try {
            return IdentityGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                    .probe(Csi.ProbeRequest.getDefaultInstance()).getReady().getValue();
        } catch (RuntimeException e) {
            return false;
        }
    }

    static Csi.VolumeCapability blockCapability() {
        return Csi.VolumeCapability.newBuilder()
                .setBlock(Csi.VolumeCapability.BlockVolume.getDefaultInstance())
                .setAccessMode(Csi.VolumeCapability.AccessMode.newBuilder()
                        .setMode(Csi.VolumeCapability.AccessMode.Mode.SINGLE_NODE_WRITER))
                .build();
    }

    /** CreateVolume as csi-provisioner sends it for a raw block PVC of this StorageClass. */
    public Csi.Volume createVolume(String pvName, long bytes, Map<String, String> params, String preferredNode) {
        Csi.CreateVolumeRequest.Builder req = Csi.CreateVolumeRequest.newBuilder().setName(pvName)
                .setCapacityRange(Csi.CapacityRange.newBuilder().setRequiredBytes(bytes))
                .addVolumeCapabilities(blockCapability()).putAllParameters(params);
        if (preferredNode != null) {
            Csi.Topology t = Csi.Topology.newBuilder().putSegments(dev.prescient.csi.controller.Placement.NODE_KEY, preferredNode)
                    .build();
            req.setAccessibilityRequirements(Csi.TopologyRequirement.newBuilder().addPreferred(t));
        }
        return ControllerGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS)
                .createVolume(req.build()).getVolume();
    }

    /** ControllerPublishVolume as csi-attacher sends it; returns the publish context (NBD URI, replica). */
    public Map<String, String> publish(String volumeId, String nodeId) {
        return ControllerGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS)
                .controllerPublishVolume(Csi.ControllerPublishVolumeRequest.newBuilder().setVolumeId(volumeId)
                        .setNodeId(nodeId).setVolumeCapability(blockCapability()).build())
                .getPublishContextMap();
    }

    public void unpublish(String volumeId, String nodeId) {
        ControllerGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS)
                .controllerUnpublishVolume(Csi.ControllerUnpublishVolumeRequest.newBuilder().setVolumeId(volumeId)
                        .setNodeId(nodeId).build());
    }

    /** NodeStageVolume as kubelet sends it for a block volume. */
    public void stage(String volumeId, Map<String, String> publishContext, Path stagingPath) {
        NodeGrpc.newBlockingStub(channel).withDeadlineAfter(120, TimeUnit.SECONDS)
                .nodeStageVolume(Csi.NodeStageVolumeRequest.newBuilder().setVolumeId(volumeId)
                        .putAllPublishContext(publishContext).setStagingTargetPath(stagingPath.toString())
                        .setVolumeCapability(blockCapability()).build());
    }

    public void unstage(String volumeId, Path stagingPath) {
        NodeGrpc.newBlockingStub(channel).withDeadlineAfter(120, TimeUnit.SECONDS)
                .nodeUnstageVolume(Csi.NodeUnstageVolumeRequest.newBuilder().setVolumeId(volumeId)
                        .setStagingTargetPath(stagingPath.toString()).build());
    }

    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
