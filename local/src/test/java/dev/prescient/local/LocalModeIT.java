package dev.prescient.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prescient.api.v1alpha1.migration.MigrationPhase;
import dev.prescient.local.api.KubectlIT;
import dev.prescient.local.proc.HostSweep;
import dev.prescient.local.runtime.ClusterWatch;
import dev.prescient.local.runtime.LocalVolume;
import dev.prescient.local.runtime.ScenarioRunner;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The default scenario, compressed (a day is 24 s), headless, on real processes: three node plugins with their
 * engines, the CSI controller, the operator against the embedded API, NBD reads and writes. The operator alone
 * decides: the test checks that it moved data for the expected reasons (hot volume promoted, cold one demoted,
 * a mirror pre-staged where the reader goes, the degrading node evacuated) with live switch-overs whose pause it
 * measured, that every copy holds every acknowledged write, and that nothing is left running or mounted.
 */
class LocalModeIT {
    static final Path ROOT = Path.of(System.getProperty("prescient.root", "..")).toAbsolutePath().normalize();

    @Test
    void defaultScenarioEndToEnd() throws Exception {
        Path work = Files.createTempDirectory("prescient-local-it");
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(console, true);
        LocalMode mode = new LocalMode(new LocalMode.Options(ROOT, work,
                ROOT.resolve("local/src/test/resources/scenarios/short.yaml"), null, 0, 0, true, out));
        List<ProcessHandle> started;
        HostSweep.Leftovers left;
        try {
            mode.start();
            started = mode.children().all().stream().map(c -> c.process().toHandle()).toList();
            assertThat(started).hasSize(5); // three nodes, the controller and the operator
            mode.run(0, true);
            ScenarioRunner r = mode.runner();
            double nodeCAtEnd = r.nodes().get("node-c").failureProbability;
            // The operator's Prometheus endpoint, scraped while it runs: the migrations it drove are counted.
            String operatorMetrics = scrapeOperator(work.resolve("operator.log"));
            List<LocalMode.Verification> checks = mode.verify(Duration.ofSeconds(90));
            List<ClusterWatch.Migration> migs = r.watch().migrations();
            System.out.println(console);
            migs.forEach(m -> System.out.printf("%s %s %s %s -> %s %s seen %.1f phases %s pause=%s%n  %s%n", m.name(),
                    m.action(), m.reason(), m.from(), m.to(), m.phase(), m.firstSeenAt(), m.phaseSeenAt(),
                    m.pauseMillis(), m.explanation()));
            r.readerMoves().forEach(x -> System.out.println("reader " + x));

            String orders = r.volumes().get("orders-db").volumeId;
            String archive = r.volumes().get("archive").volumeId;
            // Every move the operator started well before the end finished, by success or by a clean rollback
            // (one started in the last seconds may still be copying when the scenario stops).
            double end = r.seconds();
            assertThat(migs).isNotEmpty().filteredOn(m -> m.firstSeenAt() < end - 20)
                    .allSatisfy(m -> assertThat(m.done()).as(m.name() + " " + m.phaseSeenAt()).isTrue());
            // Hot orders-db promoted to nvme, with a measured live switch-over.
            ClusterWatch.Migration hot = succeeded(migs, orders, "Tiering", "/nvme")
                    .orElseThrow(() -> new AssertionError("orders-db was not promoted to nvme"));
            // Measured: 0 when the promotion converged with I/O flowing (the usual case), the pause of the fallback otherwise.
            assertThat(hot.pauseMillis()).as("switch-over pause").isNotNull().isBetween(0.0, 2000.0);
            // Cold archive demoted to hdd.
            assertThat(succeeded(migs, archive, "Tiering", "/hdd")).as("archive demoted to hdd").isPresent();
            // The degrading node-c: archive evacuated off it for a predicted failure, before the disk "failed".
            double worstC = r.nodes().get("node-c").series.stream().mapToDouble(x -> x[2]).max().orElse(0);
            System.out.printf("node-c: media slowed by %d us at the end, highest failure probability %.2f%n",
                    r.nodes().get("node-c").injectedLatencyMicros, worstC);
            assertThat(r.nodes().get("node-c").injectedLatencyMicros).as("the scenario slowed node-c").isPositive();
            // Judged against its own past and against the hdd of the other nodes at the same moment (a run whose
            // node-c hdd had a noisy past reached only p 0.57 against that past alone: NodeHealthModelTest).
            migs.stream().filter(m -> m.volume().equals(archive)
                    && m.reason().equals("PredictedFailure") && m.from().startsWith("node-c/")
                    && m.phase() == MigrationPhase.Succeeded).findFirst()
                    .orElseThrow(() -> new AssertionError("archive was not evacuated off node-c; highest failure "
                            + "probability " + worstC));
            // Its disk is still slow when the scenario ends, so it is still judged failing: neither a workload that
            // moved away nor a tier first used after the slowdown clears it (that would roll the evacuation back).
            // (Read before the verification, which heals the media first.)
            assertThat(nodeCAtEnd).as("node-c's failure probability at the end of the run")
                    .isGreaterThanOrEqualTo(0.8);
            // node-a and node-b have no injected faults, but the three local nodes share this machine's one disk:
            // while copies saturate it, a healthy node's media really are many times slower than their history
            // (seen in 240 s runs: node-b's ssd at 100-200 ms for 20 s). Such moves are reported, not failed on;
            // each must still carry its node's measured probability and leave that node.
            migs.stream().filter(m -> m.reason().equals("PredictedFailure") && !m.from().startsWith("node-c/"))
                    .forEach(m -> System.out.println("evacuated a node without injected faults: " + m.name() + " "
                            + m.explanation()));
            assertThat(migs).filteredOn(m -> m.reason().equals("PredictedFailure")).allSatisfy(m -> {
                String node = m.from().substring(0, m.from().indexOf('/'));
                assertThat(m.explanation()).contains("node " + node + " failure probability");
                assertThat(m.to()).doesNotStartWith(node + "/");
            });
            assertThat(operatorMetrics).as("operator /q/metrics")
                    .containsPattern("(?m)^prescient_migrations_total\\{[^}]*phase=\"Succeeded\"[^}]*\\} [1-9]")
                    .contains("prescient_node_failure_probability{node=\"node-c\"");
            // Nothing acknowledged was lost, on any copy; no read ever returned other bytes.
            assertThat(checks).isNotEmpty().allSatisfy(c -> assertThat(c.badBlocks()).as(c.toString()).isZero());
            assertThat(checks.stream().map(LocalMode.Verification::volume).distinct()).hasSize(3);
            for (LocalVolume v : r.volumes().values()) {
                assertThat(v.readMismatches()).as(v.name).isZero();
                assertThat(v.writes()).as(v.name).isPositive();
            }
            // kubectl sees what happened.
            Path kc = mode.api().kubeconfig();
            assertThat(KubectlIT.kubectl(kc, "get", "vmig", "-o", "jsonpath={.items[*].spec.reason}"))
                    .contains("Tiering");
            assertThat(KubectlIT.kubectl(kc, "get", "snode", "node-c", "-o",
                    "jsonpath={.status.failureProbability}")).isNotEmpty();
        } finally {
            left = mode.stop();
        }
        assertThat(left.clean()).as(left.toString()).isTrue();
        for (ProcessHandle h : started) {
            assertThat(h.isAlive()).as("pid " + h.pid()).isFalse();
        }
        assertThat(ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains(work.toString()))
                .map(p -> p.pid() + " " + p.info().commandLine().orElse("")).toList()).isEmpty();
        assertThat(Files.readString(Path.of("/proc/mounts"))).doesNotContain(work.toString());
    }

    static Optional<ClusterWatch.Migration> succeeded(List<ClusterWatch.Migration> migs, String volume,
            String reason, String toSuffix) {
        return migs.stream().filter(m -> m.volume().equals(volume) && m.reason().equals(reason)
                && m.to().endsWith(toSuffix) && m.phase() == MigrationPhase.Succeeded).findFirst();
    }

    /** GET /q/metrics from the operator, at the port Quarkus logged ("Listening on: http://127.0.0.1:PORT"). */
    static String scrapeOperator(Path operatorLog) throws Exception {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("Listening on: http://[^:/]+:(\\d+)")
                .matcher(Files.readString(operatorLog));
        assertThat(m.find()).as("the operator's HTTP port in %s", operatorLog).isTrue();
        java.net.http.HttpResponse<String> resp = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + m.group(1) + "/q/metrics"))
                        .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(resp.statusCode()).isEqualTo(200);
        return resp.body();
    }
}
