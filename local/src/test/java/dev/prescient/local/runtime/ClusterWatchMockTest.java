package dev.prescient.local.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.prescient.api.nodeagent.v1.ConsumerHeat;
import dev.prescient.api.nodeagent.v1.ExtentHeat;
import dev.prescient.api.nodeagent.v1.ListReplicasRequest;
import dev.prescient.api.nodeagent.v1.ListReplicasResponse;
import dev.prescient.api.nodeagent.v1.NodeAgentGrpc;
import dev.prescient.api.nodeagent.v1.ReplicaState;
import dev.prescient.api.nodeagent.v1.TelemetryRequest;
import dev.prescient.api.nodeagent.v1.TelemetrySnapshot;
import dev.prescient.api.nodeagent.v1.VolumeTelemetry;
import dev.prescient.api.v1alpha1.volume.ForecastMetric;
import dev.prescient.api.v1alpha1.volume.ReplicatedVolume;
import dev.prescient.api.v1alpha1.volume.ReplicatedVolumeSpec;
import dev.prescient.api.v1alpha1.volume.ReplicatedVolumeStatus;
import dev.prescient.local.api.ApiEndpoint;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ClusterWatch against the embedded API (fabric8 mock, CRUD, the operator's status written by server-side apply
 * as JOSDK does) and a small in-memory node agent on a loopback gRPC port: the operator's forecasts become a
 * series placed at the time each is for, next to the measured heat and used bytes.
 */
class ClusterWatchMockTest {
    static final String VOLUME = "pv-1";

    /** A node agent that lists one replica of pv-1 and reports its heat. */
    static final class FakeAgent extends NodeAgentGrpc.NodeAgentImplBase {
        volatile double extentHeat = 12;
        volatile long allocated = 3 << 20;

        @Override
        public void listReplicas(ListReplicasRequest request, StreamObserver<ListReplicasResponse> out) {
            out.onNext(ListReplicasResponse.newBuilder().addReplicas(dev.prescient.api.nodeagent.v1.Replica
                    .newBuilder().setReplicaId(VOLUME + "-r0").setVolumeId(VOLUME).setNodeId("node-a").setTier("ssd")
                    .setState(ReplicaState.REPLICA_STATE_HEALTHY).setAllocatedBytes(allocated)).build());
            out.onCompleted();
        }

        @Override
        public void getTelemetry(TelemetryRequest request, StreamObserver<TelemetrySnapshot> out) {
            out.onNext(TelemetrySnapshot.newBuilder().setNodeId("node-a").setHalfLifeSeconds(5)
                    .addVolumes(VolumeTelemetry.newBuilder().setVolumeId(VOLUME)
                            .addExtents(ExtentHeat.newBuilder().setExtentIndex(4).setReadHeat(extentHeat))
                            .addConsumers(ConsumerHeat.newBuilder().setConsumer("node:node-a").setReadHeat(10)))
                    .build());
            out.onCompleted();
        }
    }

    /** A clock the test moves. */
    static final class TestClock extends Clock {
        Instant now = Instant.parse("2026-11-22T03:00:00Z");

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private static void applyStatus(io.fabric8.kubernetes.client.KubernetesClient client,
            List<dev.prescient.api.v1alpha1.volume.Forecast> fs) {
        ReplicatedVolume patch = new ReplicatedVolume();
        patch.setMetadata(new ObjectMetaBuilder().withName(VOLUME).build());
        ReplicatedVolumeStatus st = new ReplicatedVolumeStatus();
        st.setForecasts(fs);
        patch.setStatus(st);
        client.resource(patch).subresource("status").patch(new PatchContext.Builder()
                .withPatchType(PatchType.SERVER_SIDE_APPLY).withFieldManager("replicatedvolume").withForce(true)
                .build());
    }

    @Test
    void operatorForecastsFromStatusLineUpWithTheMeasuredValues(@TempDir Path dir) throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        FakeAgent agent = new FakeAgent();
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(agent)
                .build().start();
        try (ApiEndpoint api = ApiEndpoint.embedded(0, dir.resolve("kubeconfig"));
                NodeAgentClients agents = new NodeAgentClients(Map.of("node-a", "127.0.0.1:" + server.getPort()))) {
            api.installCrds(root.resolve("crds"));
            var client = api.client();
            ReplicatedVolume rv = new ReplicatedVolume();
            rv.setMetadata(new ObjectMetaBuilder().withName(VOLUME).build());
            rv.setSpec(new ReplicatedVolumeSpec());
            client.resource(rv).create();

            double[] scenario = {50};
            TestClock wall = new TestClock();
            ClusterWatch watch = new ClusterWatch(client, agents, List.of("node-a"), () -> scenario[0], wall);

            // Before the operator publishes: measurements only, no forecast.
            watch.refresh();
            ForecastTrack track = watch.forecasts(VOLUME);
            assertThat(track.forecasts("AccessRate")).isEmpty();
            // 12 in the extents, 10 of it claimed by node-a's attachment: 12 in all, as the operator counts it.
            assertThat(track.actual("AccessRate")).containsExactly(new ForecastTrack.Sample(50, 12));
            assertThat(track.actual("UsedBytes")).containsExactly(new ForecastTrack.Sample(50, 3 << 20));
            assertThat(watch.heatHalfLifeSeconds()).isEqualTo(5);

            // The operator's pass at 03:00:01 (one second before the next poll, at scenario second 52).
            applyStatus(client, List.of(
                    ClusterWatchTest.forecast(ForecastMetric.UsedBytes, "1m", "2026-11-22T03:00:01Z", 4e6, 3e6, 5e6),
                    ClusterWatchTest.forecast(ForecastMetric.AccessRate, "8s", "2026-11-22T03:00:01Z", 15.0, 9.0,
                            21.0)));
            wall.now = Instant.parse("2026-11-22T03:00:02Z");
            scenario[0] = 52;
            agent.extentHeat = 14;
            watch.refresh();
            assertThat(track.forecasts("AccessRate")).hasSize(1);
            ForecastTrack.Point p = track.latest("AccessRate");
            assertThat(p.computedAt()).isCloseTo(51, within(1e-9));
            assertThat(p.target()).isCloseTo(59, within(1e-9));
            assertThat(p.value()).isEqualTo(15);
            assertThat(p.lower()).isEqualTo(9);
            assertThat(p.upper()).isEqualTo(21);
            assertThat(track.horizon("AccessRate")).isEqualTo("8s");
            assertThat(track.latest("UsedBytes").target()).isCloseTo(111, within(1e-9));
            assertThat(track.horizon("UsedBytes")).isEqualTo("1m");

            // Polled again before the operator's next pass: the same forecast is not counted twice.
            wall.now = Instant.parse("2026-11-22T03:00:03Z");
            scenario[0] = 53.2;
            watch.refresh();
            assertThat(track.forecasts("AccessRate")).hasSize(1);
            assertThat(track.score("AccessRate", 60).resolved()).isZero();

            // The time the forecast was for arrives: measured 16, inside [9, 21].
            wall.now = Instant.parse("2026-11-22T03:00:09Z");
            scenario[0] = 59.5;
            agent.extentHeat = 16;
            watch.refresh();
            assertThat(track.actualAt("AccessRate", 59.5)).isEqualTo(16);
            ForecastTrack.Score s = track.score("AccessRate", 60);
            assertThat(s.resolved()).isEqualTo(1);
            assertThat(s.inside()).isEqualTo(1);
            // Measured 14 at 53.2 and 16 at 59.5: 15.68 at 59.
            assertThat(s.meanAbsError()).isCloseTo(Math.abs(15 - (14 + 2 * (59 - 53.2) / (59.5 - 53.2))), within(1e-9));
        } finally {
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aNodeThatDoesNotAnswerAddsNoMeasurementRatherThanAPartialSum(@TempDir Path dir) throws Exception {
        FakeAgent agent = new FakeAgent();
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(agent)
                .build().start();
        int deadPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            deadPort = s.getLocalPort();
        }
        try (ApiEndpoint api = ApiEndpoint.embedded(0, dir.resolve("kubeconfig"));
                NodeAgentClients agents = new NodeAgentClients(Map.of("node-a", "127.0.0.1:" + server.getPort(),
                        "node-b", "127.0.0.1:" + deadPort))) {
            ClusterWatch watch = new ClusterWatch(api.client(), agents, List.of("node-a", "node-b"), () -> 1);
            watch.refresh();
            assertThat(watch.replicas(VOLUME)).hasSize(1);
            assertThat(watch.forecasts(VOLUME).actual("AccessRate")).isEmpty();
            assertThat(watch.forecasts(VOLUME).actual("UsedBytes")).isEmpty();
        } finally {
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
