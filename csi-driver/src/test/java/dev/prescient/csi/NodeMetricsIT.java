package dev.prescient.csi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.prescient.api.nodeagent.v1.ExpandReplicaRequest;
import dev.prescient.api.nodeagent.v1.ListReplicasRequest;
import dev.prescient.api.nodeagent.v1.Replica;
import dev.prescient.csi.agent.NodeState;
import io.grpc.StatusRuntimeException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The node agent's /metrics, scraped from a real node process: replicas and volumes follow CreateReplica, RPCs are
 * counted by method and status, and an engine killed under it shows as a restart once the supervisor brought it back.
 * The engines the agent starts serve their own metrics on a port kept in their record.
 */
class NodeMetricsIT {
    Path root;
    NodeProcess node;

    @BeforeEach
    void setUp() throws Exception {
        root = Files.createTempDirectory("prescient-metrics-it");
    }

    @AfterEach
    void tearDown() throws Exception {
        if (node != null) {
            node.close();
        }
        HostCleanup.under(root);
        new ProcessBuilder("rm", "-rf", root.toString()).start().waitFor();
    }

    static String scrape(int port) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    static double value(String body, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(body);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    @Test
    void replicasRpcsAndEngineRestartsShowInTheScrape() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        node = new NodeProcess("node-m", root.resolve("m"), root.resolve("kubelet"));
        node.extraArgs.addAll(List.of("--engine-check-ms", "500", "--metrics-listen", "127.0.0.1:" + port));
        node.start();
        String before = scrape(port);
        assertThat(value(before, "prescient_agent_replicas{node=\"node-m\"}")).isZero();
        assertThat(value(before, "prescient_agent_engine_restarts_total{node=\"node-m\"}")).isZero();

        Replica r = NodeLifecycleIT.createReplica(node, "vol1");
        Path data = root.resolve("data.bin");
        EngineSupervisionIT.run("sh", "-c", "head -c 1048576 /dev/urandom > " + data);
        EngineSupervisionIT.run("nbdcopy", "--flush", data.toString(), r.getNbdEndpoint());
        node.agent().listReplicas(ListReplicasRequest.getDefaultInstance());
        assertThatThrownBy(() -> node.agent().expandReplica(ExpandReplicaRequest.newBuilder()
                .setReplicaId("no-such-replica").setNewSizeBytes(1 << 30).build()))
                .isInstanceOf(StatusRuntimeException.class);
        String after = scrape(port);
        assertThat(value(after, "prescient_agent_replicas{node=\"node-m\"}")).isEqualTo(1);
        assertThat(value(after, "prescient_agent_volumes{node=\"node-m\"}")).isEqualTo(1);
        assertThat(value(after, "prescient_agent_replica_bytes{node=\"node-m\",tier=\"default\"}"))
                .isEqualTo(NodeLifecycleIT.SIZE);
        assertThat(value(after, "prescient_agent_rpcs_total{method=\"CreateReplica\",code=\"OK\"}")).isEqualTo(1);
        assertThat(value(after, "prescient_agent_rpcs_total{method=\"ListReplicas\",code=\"OK\"}")).isEqualTo(1);
        assertThat(value(after, "prescient_agent_rpc_errors_total{method=\"ExpandReplica\"}")).isEqualTo(1);
        assertThat(value(after, "prescient_agent_rpc_seconds_count{method=\"CreateReplica\"}")).isEqualTo(1);

        // The agent started the engine with metrics of its own, on a port kept in the replica's record.
        Path record = root.resolve("m/state/run/engine/vol1-r0" + NodeState.SUFFIX);
        int enginePort = NodeState.read(record).orElseThrow().metricsPort();
        String engine = scrape(enginePort);
        assertThat(value(engine, "prescient_engine_requests_total{volume=\"vol1\",op=\"write\"}")).isPositive();
        assertThat(value(engine, "prescient_engine_bytes_total{volume=\"vol1\",op=\"write\"}"))
                .isEqualTo(1 << 20);
        // ... and the agent's own endpoint, the one the chart's PodMonitor scrapes, carries it with its engine.
        String merged = scrape(port);
        assertThat(value(merged, "prescient_engine_bytes_total{volume=\"vol1\",op=\"write\",engine=\"vol1-r0\"}"))
                .isEqualTo(1 << 20);
        assertThat(merged).containsOnlyOnce("# TYPE prescient_engine_requests counter");
        assertThat(value(merged, "prescient_agent_engine_scrape_failures_total{node=\"node-m\"}"))
                .as("declared (an engine too slow to answer on a loaded machine counts, so no exact figure)")
                .isNotNegative();

        Path pidFile = root.resolve("m/state/run/engine/vol1-r0.pid");
        long pid = Long.parseLong(Files.readString(pidFile).strip());
        EngineSupervisionIT.run("kill", "-9", Long.toString(pid));
        double restarts = 0;
        for (long end = System.currentTimeMillis() + 30_000; restarts < 1 && System.currentTimeMillis() < end;
                Thread.sleep(200)) {
            restarts = value(scrape(port), "prescient_agent_engine_restarts_total{node=\"node-m\"}");
        }
        assertThat(restarts).as("engine restarts after kill -9; log: %s",
                Files.readString(root.resolve("m/node.log"))).isEqualTo(1);
        assertThat(NodeState.read(record).orElseThrow().metricsPort()).as("kept across the restart")
                .isEqualTo(enginePort);
        assertThat(value(scrape(enginePort), "prescient_engine_requests_total{volume=\"vol1\",op=\"write\"}"))
                .as("the new engine process counts afresh").isZero();

        // The agent restarts (a crash), the engine does not: the new agent adopts it with the metrics it was started
        // with, same port, counters not reset, and carries them in its own scrape again.
        EngineSupervisionIT.run("nbdcopy", "--flush", data.toString(), r.getNbdEndpoint());
        long enginePid = Long.parseLong(Files.readString(pidFile).strip());
        node.kill();
        node = new NodeProcess("node-m", root.resolve("m"), root.resolve("kubelet"));
        node.extraArgs.addAll(List.of("--engine-check-ms", "500", "--metrics-listen", "127.0.0.1:" + port));
        node.start();
        assertThat(Long.parseLong(Files.readString(pidFile).strip())).as("adopted, not restarted").isEqualTo(enginePid);
        assertThat(NodeState.read(record).orElseThrow().metricsPort()).isEqualTo(enginePort);
        assertThat(value(scrape(port), "prescient_engine_bytes_total{volume=\"vol1\",op=\"write\",engine=\"vol1-r0\"}"))
                .as("the adopted engine's counters, through the new agent").isEqualTo(1 << 20);
    }
}
