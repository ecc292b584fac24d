package dev.prescient.csi.identity;

import com.google.protobuf.BoolValue;
import csi.v1.Csi;
import csi.v1.IdentityGrpc;
import dev.prescient.csi.Rpc;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/** CSI Identity: who we are, what we offer, and whether we are ready to serve right now. */
public final class IdentityService extends IdentityGrpc.IdentityImplBase {
    public static final String DRIVER_NAME = "csi.prescient.dev";
    public static final String VERSION = "0.1.0";

    private final boolean controller;
    private final List<ReadinessCheck> checks;

    /** One readiness condition: empty when fine, otherwise why not. */
    public interface ReadinessCheck extends Supplier<Optional<String>> {
    }

    public IdentityService(boolean controller, List<ReadinessCheck> checks) {
        this.controller = controller;
        this.checks = List.copyOf(checks);
    }

    @Override
    public void getPluginInfo(Csi.GetPluginInfoRequest request, StreamObserver<Csi.GetPluginInfoResponse> out) {
        Rpc.unary(out, () -> Csi.GetPluginInfoResponse.newBuilder()
                .setName(DRIVER_NAME).setVendorVersion(VERSION)
                .putManifest("mode", controller ? "controller" : "node").build());
    }

    @Override
    public void getPluginCapabilities(Csi.GetPluginCapabilitiesRequest request,
            StreamObserver<Csi.GetPluginCapabilitiesResponse> out) {
        Rpc.unary(out, () -> {
            var b = Csi.GetPluginCapabilitiesResponse.newBuilder();
            if (controller) {
                b.addCapabilities(service(Csi.PluginCapability.Service.Type.CONTROLLER_SERVICE));
            }
            b.addCapabilities(service(Csi.PluginCapability.Service.Type.VOLUME_ACCESSIBILITY_CONSTRAINTS));
            // OFFLINE, not ONLINE: nbdfuse learns the export's size once, at connect, and cannot be
            // told it changed, so a grown replica shows as a bigger device only when the volume is
            // next staged (NodeStageVolume then grows the file system). With the kernel nbd-client
            // a resize could be pushed to a connected device, but these machines have no /dev/nbd*,
            // and the engine restarts its process to grow a replica, which would cut a live client.
            b.addCapabilities(Csi.PluginCapability.newBuilder().setVolumeExpansion(
                    Csi.PluginCapability.VolumeExpansion.newBuilder()
                            .setType(Csi.PluginCapability.VolumeExpansion.Type.OFFLINE)));
            return b.build();
        });
    }

    private static Csi.PluginCapability service(Csi.PluginCapability.Service.Type t) {
        return Csi.PluginCapability.newBuilder()
                .setService(Csi.PluginCapability.Service.newBuilder().setType(t)).build();
    }

    @Override
    public void probe(Csi.ProbeRequest request, StreamObserver<Csi.ProbeResponse> out) {
        Rpc.unary(out, () -> {
            boolean ready = notReadyReasons().isEmpty();
            return Csi.ProbeResponse.newBuilder().setReady(BoolValue.of(ready)).build();
        });
    }

    public List<String> notReadyReasons() {
        return checks.stream().map(Supplier::get).flatMap(Optional::stream).toList();
    }
}
